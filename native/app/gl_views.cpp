#include "gl_views.h"

#include <algorithm>

#include "ae/error.h"
#include "shaders_embedded.h"

namespace ae_app {

namespace {
constexpr const char* kVersion = "#version 330 core\n";

GLuint shader_compile(GLenum stage, const char* body, const std::string& name) {
    const GLuint s = glCreateShader(stage);
    const char* parts[2] = {kVersion, body};
    glShaderSource(s, 2, parts, nullptr);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        GLint n = 0;
        glGetShaderiv(s, GL_INFO_LOG_LENGTH, &n);
        std::string log(static_cast<size_t>(std::max(n, 1)), '\0');
        glGetShaderInfoLog(s, n, nullptr, log.data());
        glDeleteShader(s);
        throw ae::Error("shader " + name + (stage == GL_VERTEX_SHADER ? ".vert" : ".frag") + ": " + log);
    }
    return s;
}
}  // namespace

GLuint program_build(const char* vertex_body, const char* fragment_body, const std::string& name) {
    const GLuint vs = shader_compile(GL_VERTEX_SHADER, vertex_body, name);
    const GLuint fs = shader_compile(GL_FRAGMENT_SHADER, fragment_body, name);
    const GLuint p = glCreateProgram();
    glAttachShader(p, vs);
    glAttachShader(p, fs);
    glLinkProgram(p);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        GLint n = 0;
        glGetProgramiv(p, GL_INFO_LOG_LENGTH, &n);
        std::string log(static_cast<size_t>(std::max(n, 1)), '\0');
        glGetProgramInfoLog(p, n, nullptr, log.data());
        glDeleteProgram(p);
        throw ae::Error("shader program " + name + ": " + log);
    }
    return p;
}

Canvas::~Canvas() {
    if (fbo_) glDeleteFramebuffers(1, &fbo_);
    if (texture_) glDeleteTextures(1, &texture_);
}

void Canvas::begin(int width, int height, std::array<float, 4> clear) {
    width = std::max(width, 1);
    height = std::max(height, 1);
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &saved_fbo_);
    glGetIntegerv(GL_VIEWPORT, saved_viewport_);
    if (!fbo_) {
        glGenFramebuffers(1, &fbo_);
        glGenTextures(1, &texture_);
    }
    if (width != width_ || height != height_) {
        width_ = width;
        height_ = height;
        glBindTexture(GL_TEXTURE_2D, texture_);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
        // Shown at 1:1 in ImGui: nearest sampling is exact and cheaper for a software rasterizer.
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture_, 0);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glViewport(0, 0, width_, height_);
    glDisable(GL_SCISSOR_TEST);
    glClearColor(clear[0], clear[1], clear[2], clear[3]);
    glClear(GL_COLOR_BUFFER_BIT);
}

void Canvas::end() {
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(saved_fbo_));
    glViewport(saved_viewport_[0], saved_viewport_[1], saved_viewport_[2], saved_viewport_[3]);
}

GreyTexture::~GreyTexture() {
    if (id_) glDeleteTextures(1, &id_);
}

void GreyTexture::upload(const float* pixels, int width, int height) {
    if (!id_) glGenTextures(1, &id_);
    glBindTexture(GL_TEXTURE_2D, id_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    if (width != width_ || height != height_) {
        width_ = width;
        height_ = height;
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, width, height, 0, GL_RED, GL_FLOAT, pixels);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    } else {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RED, GL_FLOAT, pixels);
    }
}

void ImageProgram::init() {
    program_ = program_build(shader_image_vert, shader_image_frag, "image");
    u_rect_ = glGetUniformLocation(program_, "u_rect");
    u_image_ = glGetUniformLocation(program_, "u_image");
    u_signed_ = glGetUniformLocation(program_, "u_signed");
    glGenVertexArrays(1, &vao_);  // empty: gl_VertexID makes the corners
}

void ImageProgram::draw(GLuint texture, float x0, float y0, float x1, float y1, bool is_signed) const {
    glUseProgram(program_);
    glBindVertexArray(vao_);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, texture);
    glUniform4f(u_rect_, x0, y0, x1, y1);
    glUniform1i(u_image_, 0);
    glUniform1f(u_signed_, is_signed ? 1.0f : 0.0f);
    glDisable(GL_BLEND);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

void PointsProgram::init() {
    program_ = program_build(shader_latent_points_vert, shader_latent_points_frag, "latent_points");
    u_center_ = glGetUniformLocation(program_, "u_center");
    u_scale_ = glGetUniformLocation(program_, "u_scale");
    u_point_size_ = glGetUniformLocation(program_, "u_point_size");
    u_palette_ = glGetUniformLocation(program_, "u_palette");
    u_highlight_ = glGetUniformLocation(program_, "u_highlight");
    u_alpha_ = glGetUniformLocation(program_, "u_alpha");
    glGenVertexArrays(1, &vao_);
    glGenBuffers(1, &vbo_xy_);
    glGenBuffers(1, &vbo_class_);
    glBindVertexArray(vao_);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_xy_);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_class_);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 1, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
}

void PointsProgram::upload(const std::vector<float>& xy, const std::vector<float>& classes) {
    count_ = static_cast<int>(classes.size());
    glBindBuffer(GL_ARRAY_BUFFER, vbo_xy_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(xy.size() * sizeof(float)), xy.data(), GL_DYNAMIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_class_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(classes.size() * sizeof(float)), classes.data(),
                 GL_DYNAMIC_DRAW);
}

void PointsProgram::draw(float center_x, float center_y, float scale_x, float scale_y, float point_size,
                         const std::array<float, 48>& palette, int highlight, float alpha) const {
    if (count_ == 0) return;
    glUseProgram(program_);
    glBindVertexArray(vao_);
    glUniform2f(u_center_, center_x, center_y);
    glUniform2f(u_scale_, scale_x, scale_y);
    glUniform1f(u_point_size_, point_size);
    glUniform3fv(u_palette_, 16, palette.data());
    glUniform1f(u_highlight_, static_cast<float>(highlight));
    glUniform1f(u_alpha_, alpha);
    glEnable(GL_PROGRAM_POINT_SIZE);
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    glDrawArrays(GL_POINTS, 0, count_);
    glBindVertexArray(0);
}

void SegmentsProgram::init() {
    program_ = program_build(shader_segments_vert, shader_segments_frag, "segments");
    u_center_ = glGetUniformLocation(program_, "u_center");
    u_scale_ = glGetUniformLocation(program_, "u_scale");
    u_color_ = glGetUniformLocation(program_, "u_color");
    glGenVertexArrays(1, &vao_);
    glGenBuffers(1, &vbo_);
    glBindVertexArray(vao_);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
}

void SegmentsProgram::upload(const std::vector<float>& segments) {
    vertices_ = static_cast<int>(segments.size() / 2);
    glBindBuffer(GL_ARRAY_BUFFER, vbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(segments.size() * sizeof(float)), segments.data(),
                 GL_DYNAMIC_DRAW);
}

void SegmentsProgram::draw(float center_x, float center_y, float scale_x, float scale_y,
                           const std::array<float, 4>& color) const {
    if (vertices_ == 0) return;
    glUseProgram(program_);
    glBindVertexArray(vao_);
    glUniform2f(u_center_, center_x, center_y);
    glUniform2f(u_scale_, scale_x, scale_y);
    glUniform4fv(u_color_, 1, color.data());
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    glDrawArrays(GL_LINES, 0, vertices_);
    glBindVertexArray(0);
}

}  // namespace ae_app
