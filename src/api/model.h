// The whole swarm domain model (Docker Engine API v1.41 shapes) in one include. See common.h
// for how Go types map onto C++.
#pragma once

#include "api/common.h"
#include "api/config.h"
#include "api/container.h"
#include "api/engine_network.h"
#include "api/enum.h"
#include "api/mount.h"
#include "api/network.h"
#include "api/node.h"
#include "api/secret.h"
#include "api/service.h"
#include "api/swarm.h"
#include "api/task.h"
#include "api/task_spec.h"
