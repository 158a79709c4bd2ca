// OpenGL 3.3 core helpers for the app's views, built on the shared GLSL of shaders/ (embedded at build
// time, "#version 330 core" prepended here, as Dear ImGui's GL3 backend does):
//   - Canvas: an RGBA8 texture behind a framebuffer object, shown in ImGui with ImGui::Image;
//   - ImageProgram (image.vert/.frag): grey (or signed) one-channel textures drawn as quads;
//   - PointsProgram (latent_points.vert/.frag): the latent map's class-coloured points;
//   - SegmentsProgram (segments.vert/.frag): line segments in one colour (the vector field's arrows).
// All functions must run on the thread that owns the GL context (the UI thread).
#pragma once

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ae_app {

// Compiles "#version 330 core\n" + body for both stages and links them. Throws ae::Error carrying the
// compiler or linker log and `name`.
GLuint program_build(const char* vertex_body, const char* fragment_body, const std::string& name);

// An offscreen colour target: render into it between begin() and end(), show texture() in ImGui
// (flip v: ImGui::Image(..., ImVec2(0, 1), ImVec2(1, 0))).
class Canvas {
public:
    Canvas() = default;
    ~Canvas();
    Canvas(const Canvas&) = delete;
    Canvas& operator=(const Canvas&) = delete;
    void begin(int width, int height, std::array<float, 4> clear);  // (re)allocates on size change
    void end();
    GLuint texture() const { return texture_; }
    int width() const { return width_; }
    int height() const { return height_; }

private:
    GLuint fbo_ = 0, texture_ = 0;
    int width_ = 0, height_ = 0;
    GLint saved_fbo_ = 0;
    GLint saved_viewport_[4] = {0, 0, 0, 0};
};

// A one-channel float texture (GL_R32F, NEAREST): grey levels 0..1, or -1..1 for signed maps.
class GreyTexture {
public:
    GreyTexture() = default;
    ~GreyTexture();
    GreyTexture(const GreyTexture&) = delete;
    GreyTexture& operator=(const GreyTexture&) = delete;
    void upload(const float* pixels, int width, int height);  // row-major, top row first
    GLuint id() const { return id_; }
    int width() const { return width_; }
    int height() const { return height_; }

private:
    GLuint id_ = 0;
    int width_ = 0, height_ = 0;
};

class ImageProgram {
public:
    void init();  // compiles image.vert/.frag; throws ae::Error
    // Draws `texture` on the clip-space rectangle (x0, y0) .. (x1, y1), y up.
    void draw(GLuint texture, float x0, float y0, float x1, float y1, bool is_signed) const;

private:
    GLuint program_ = 0, vao_ = 0;
    GLint u_rect_ = -1, u_image_ = -1, u_signed_ = -1;
};

class PointsProgram {
public:
    void init();  // compiles latent_points.vert/.frag; throws ae::Error
    // xy: 2n floats (x0, y0, x1, y1, ...), classes: n palette indices.
    void upload(const std::vector<float>& xy, const std::vector<float>& classes);
    // Draws the uploaded points with alpha blending. palette: 16 linear RGB triples.
    void draw(float center_x, float center_y, float scale_x, float scale_y, float point_size,
              const std::array<float, 48>& palette, int highlight, float alpha) const;
    int count() const { return count_; }

private:
    GLuint program_ = 0, vao_ = 0, vbo_xy_ = 0, vbo_class_ = 0;
    int count_ = 0;
    GLint u_center_ = -1, u_scale_ = -1, u_point_size_ = -1, u_palette_ = -1, u_highlight_ = -1, u_alpha_ = -1;
};

class SegmentsProgram {
public:
    void init();  // compiles segments.vert/.frag; throws ae::Error
    // segments: 4 floats per segment (x0, y0, x1, y1), as vector_field.h field_arrow_segments.
    void upload(const std::vector<float>& segments);
    // Draws the uploaded segments as GL_LINES with alpha blending; color: linear RGBA.
    void draw(float center_x, float center_y, float scale_x, float scale_y, const std::array<float, 4>& color) const;

private:
    GLuint program_ = 0, vao_ = 0, vbo_ = 0;
    int vertices_ = 0;
    GLint u_center_ = -1, u_scale_ = -1, u_color_ = -1;
};

}  // namespace ae_app
