# The manager–agent protocol over gRPC (proto/shoal/*.proto, src/rpc/). Generates the
# protobuf and gRPC C++ code into ${CMAKE_BINARY_DIR}/generated/shoal/ and builds shoal_rpc.
# Debian's gRPC CMake config (gRPCConfig.cmake) is used when it loads; otherwise pkg-config.
find_package(Protobuf QUIET)
find_package(gRPC CONFIG QUIET)
if(TARGET gRPC::grpc++)
  set(SHOAL_GRPC_LIBS gRPC::grpc++ protobuf::libprotobuf)
else()
  pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++ protobuf)
  set(SHOAL_GRPC_LIBS PkgConfig::GRPCPP)
endif()
find_program(SHOAL_PROTOC protoc REQUIRED)
find_program(SHOAL_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

set(shoal_proto_dir ${PROJECT_SOURCE_DIR}/proto)
set(shoal_gen_dir ${CMAKE_BINARY_DIR}/generated)
set(shoal_proto_srcs)
foreach(name dispatcher ca control)
  set(proto ${shoal_proto_dir}/shoal/${name}.proto)
  set(outs ${shoal_gen_dir}/shoal/${name}.pb.cc ${shoal_gen_dir}/shoal/${name}.pb.h
           ${shoal_gen_dir}/shoal/${name}.grpc.pb.cc ${shoal_gen_dir}/shoal/${name}.grpc.pb.h)
  add_custom_command(
    OUTPUT ${outs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${shoal_gen_dir}
    COMMAND ${SHOAL_PROTOC} -I ${shoal_proto_dir} --cpp_out=${shoal_gen_dir}
            --grpc_out=${shoal_gen_dir} --plugin=protoc-gen-grpc=${SHOAL_GRPC_CPP_PLUGIN}
            ${proto}
    DEPENDS ${proto}
    COMMENT "protoc shoal/${name}.proto"
    VERBATIM)
  list(APPEND shoal_proto_srcs ${outs})
endforeach()

file(GLOB_RECURSE shoal_rpc_srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/rpc/*.cc)
add_library(shoal_rpc STATIC ${shoal_rpc_srcs} ${shoal_proto_srcs})
target_include_directories(shoal_rpc PUBLIC ${PROJECT_SOURCE_DIR}/src ${shoal_gen_dir})
target_link_libraries(shoal_rpc PUBLIC shoal_protocol shoal_ca ${SHOAL_GRPC_LIBS})
# The generated code is not ours to warn about.
set_source_files_properties(${shoal_proto_srcs} PROPERTIES COMPILE_OPTIONS "-w")
