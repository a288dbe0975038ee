// Instantiates the JSON codec for the types of SHOAL_API_CONTAINER_TYPES (codec.h).
#include "api/json/codec_impl.h"

namespace shoal::api {

SHOAL_API_CONTAINER_TYPES(SHOAL_API_INSTANTIATE_CODEC)

}  // namespace shoal::api
