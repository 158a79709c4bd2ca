// Line segments in data coordinates, one colour: the arrows of a vector field (vector_field.h
// field_arrow_segments: 4 floats per segment), drawn as GL_LINES. Shared by WebGL2 and OpenGL 3.3 core;
// the host prepends its #version line. Pan and zoom as latent_points.vert.
//
// Attributes (two vertices per segment):
//   location 0  a_position  vec2  an end point in data coordinates
// Uniforms:
//   u_center  vec2  data coordinates shown at the middle of the viewport
//   u_scale   vec2  clip units per data unit, x and y
layout(location = 0) in vec2 a_position;

uniform vec2 u_center;
uniform vec2 u_scale;

void main() {
    gl_Position = vec4((a_position - u_center) * u_scale, 0.0, 1.0);
}
