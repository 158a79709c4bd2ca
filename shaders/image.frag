// Grey image from a one-channel texture (R8 or R32F, values 0..1 = black..white), sampled with
// NEAREST filtering so pixels stay crisp when upscaled. Optional diverging colour map for signed
// values (error maps): u_signed = 1 maps -1..1 to blue..white..red.
in vec2 v_uv;

uniform sampler2D u_image;
uniform float u_signed;

out vec4 frag_color;

void main() {
    float v = texture(u_image, v_uv).r;
    vec3 grey = vec3(clamp(v, 0.0, 1.0));
    float s = clamp(v, -1.0, 1.0);
    vec3 diverging = s >= 0.0 ? mix(vec3(1.0), vec3(0.80, 0.10, 0.10), s)
                              : mix(vec3(1.0), vec3(0.10, 0.25, 0.80), -s);
    frag_color = vec4(mix(grey, diverging, u_signed), 1.0);
}
