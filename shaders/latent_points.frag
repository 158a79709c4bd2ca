// Latent map points: round, anti-aliased discs with a dark rim; the highlighted point gets a black
// ring. Pairs with latent_points.vert. Draw with alpha blending (SRC_ALPHA, ONE_MINUS_SRC_ALPHA).
in vec3 v_color;
in float v_emphasis;

uniform float u_alpha;  // opacity of ordinary points, 0..1 (dense maps look better below 1)

out vec4 frag_color;

void main() {
    vec2 p = gl_PointCoord * 2.0 - 1.0;
    float r = length(p);
    if (r > 1.0) discard;
    float edge = 1.0 - smoothstep(0.75, 1.0, r);
    vec3 rim = mix(v_color, v_color * 0.55, smoothstep(0.55, 0.85, r));
    vec3 color = mix(rim, vec3(0.0), v_emphasis * smoothstep(0.5, 0.7, r));
    float alpha = mix(u_alpha, 1.0, v_emphasis) * edge;
    frag_color = vec4(color, alpha);
}
