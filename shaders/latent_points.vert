// Latent map: one point per code, coloured by class. Shared by WebGL2 and OpenGL 3.3 core; the host
// prepends "#version 300 es" + "precision highp float;" or "#version 330 core".
//
// Attributes (one vertex per point, drawn as GL_POINTS):
//   location 0  a_position  vec2   the point in data coordinates (latent dims or PCA projection)
//   location 1  a_class     float  class index 0..15 (palette entry)
// Uniforms:
//   u_center     vec2   data coordinates shown at the middle of the viewport (pan)
//   u_scale      vec2   clip units per data unit, x and y (zoom; y already corrected for aspect)
//   u_point_size float  diameter in pixels (native hosts enable GL_PROGRAM_POINT_SIZE)
//   u_palette    vec3[16] class colours, linear 0..1 RGB
//   u_highlight  float  index of the point to emphasise (gl_VertexID), or -1 for none
layout(location = 0) in vec2 a_position;
layout(location = 1) in float a_class;

uniform vec2 u_center;
uniform vec2 u_scale;
uniform float u_point_size;
uniform vec3 u_palette[16];
uniform float u_highlight;

out vec3 v_color;
out float v_emphasis;

void main() {
    int c = int(clamp(a_class, 0.0, 15.0));
    v_color = u_palette[c];
    v_emphasis = (float(gl_VertexID) == u_highlight) ? 1.0 : 0.0;
    gl_Position = vec4((a_position - u_center) * u_scale, 0.0, 1.0);
    gl_PointSize = u_point_size * (1.0 + 1.5 * v_emphasis);
}
