// Line segments in one colour (pairs with segments.vert). Draw with alpha blending.
uniform vec4 u_color;  // linear RGBA, 0..1

out vec4 frag_color;

void main() {
    frag_color = u_color;
}
