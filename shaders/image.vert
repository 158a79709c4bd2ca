// Textured quad for grey images (reconstructions, manifold grid, samples, interpolation strips).
// Shared by WebGL2 and OpenGL 3.3 core; the host prepends its #version (and precision on the web).
//
// No vertex buffer is needed: draw 4 vertices as GL_TRIANGLE_STRIP (an empty vertex array object is
// still required by core profiles). gl_VertexID 0..3 -> the corners of the rectangle u_rect.
// Uniforms:
//   u_rect  vec4  x0, y0, x1, y1 of the quad in clip coordinates (-1..1, y up)
// Output: v_uv in 0..1, v = 0 at the top edge (image row 0 first, as the pixels are stored).
uniform vec4 u_rect;

out vec2 v_uv;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    v_uv = vec2(corner.x, 1.0 - corner.y);
    gl_Position = vec4(mix(u_rect.xy, u_rect.zw, corner), 0.0, 1.0);
}
