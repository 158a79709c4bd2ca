# Writes OUT (a C++ header) holding each shader file of SHADER_DIR as a string constant:
#   shaders/latent_points.vert -> ae_app::shader_latent_points_vert
# Run at build time (cmake -P) so the app embeds exactly the GLSL the web page copies.
file(GLOB files "${SHADER_DIR}/*.vert" "${SHADER_DIR}/*.frag")
list(SORT files)
set(text "// Generated from shaders/ by native/app/embed_shaders.cmake. Do not edit.\n#pragma once\n\nnamespace ae_app {\n")
foreach(f ${files})
  get_filename_component(name "${f}" NAME)
  string(REPLACE "." "_" id "${name}")
  file(READ "${f}" body)
  string(APPEND text "inline constexpr const char* shader_${id} = R\"glsl(${body})glsl\";\n")
endforeach()
string(APPEND text "}  // namespace ae_app\n")
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
