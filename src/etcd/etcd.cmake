# The etcd v3 client and the store's etcd datastore (src/etcd/). The client is generated at
# build time from the .proto files Debian installs (golang-etcd-server-dev and the gogo and
# googleapis files they import); nothing of etcd's is copied into this tree.
set(shoal_gocode /usr/share/gocode/src)
set(shoal_etcd_proto_roots
  ${shoal_gocode}/go.etcd.io
  ${shoal_gocode}/github.com/gogo/protobuf
  ${shoal_gocode}/github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis)
foreach(root ${shoal_etcd_proto_roots})
  if(NOT EXISTS ${root})
    message(FATAL_ERROR "etcd's .proto files are missing (${root}): run scripts/deps.sh")
  endif()
endforeach()
list(TRANSFORM shoal_etcd_proto_roots PREPEND "-I" OUTPUT_VARIABLE shoal_etcd_proto_includes)

# Each file relative to its root: those with gRPC services, then those with messages only.
set(shoal_etcd_service_protos etcd/etcdserver/etcdserverpb/rpc.proto
  etcd/etcdserver/api/v3election/v3electionpb/v3election.proto)
set(shoal_etcd_message_protos etcd/mvcc/mvccpb/kv.proto etcd/auth/authpb/auth.proto
  gogoproto/gogo.proto google/api/annotations.proto google/api/http.proto)
set(shoal_etcd_gen_srcs)
foreach(proto ${shoal_etcd_service_protos} ${shoal_etcd_message_protos})
  set(with_grpc FALSE)
  if(proto IN_LIST shoal_etcd_service_protos)
    set(with_grpc TRUE)
  endif()
  string(REGEX REPLACE "\\.proto$" "" base ${proto})
  set(outs ${shoal_gen_dir}/${base}.pb.cc ${shoal_gen_dir}/${base}.pb.h)
  set(grpc_args)
  if(with_grpc)
    list(APPEND outs ${shoal_gen_dir}/${base}.grpc.pb.cc ${shoal_gen_dir}/${base}.grpc.pb.h)
    set(grpc_args --grpc_out=${shoal_gen_dir} --plugin=protoc-gen-grpc=${SHOAL_GRPC_CPP_PLUGIN})
  endif()
  add_custom_command(
    OUTPUT ${outs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${shoal_gen_dir}
    COMMAND ${SHOAL_PROTOC} ${shoal_etcd_proto_includes} -I/usr/include
            --cpp_out=${shoal_gen_dir} ${grpc_args} ${proto}
    COMMENT "protoc ${proto}"
    VERBATIM)
  foreach(out ${outs})
    if(out MATCHES "\\.cc$")
      list(APPEND shoal_etcd_gen_srcs ${out})
    endif()
  endforeach()
endforeach()

file(GLOB_RECURSE shoal_etcd_srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/etcd/*.cc)
add_library(shoal_etcd STATIC ${shoal_etcd_srcs} ${shoal_etcd_gen_srcs})
target_include_directories(shoal_etcd PUBLIC ${PROJECT_SOURCE_DIR}/src ${shoal_gen_dir})
target_link_libraries(shoal_etcd PUBLIC shoal_store ${SHOAL_GRPC_LIBS})
# The generated code is not ours to warn about.
set_source_files_properties(${shoal_etcd_gen_srcs} PROPERTIES COMPILE_OPTIONS "-w")
