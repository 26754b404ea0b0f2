#pragma once
// Everything libmpcore offers, like `import multiprocessing`.
#include "mp/connection.hpp"
#include "mp/context.hpp"
#include "mp/dummy.hpp"
#include "mp/errors.hpp"
#include "mp/object.hpp"
#include "mp/pickle.hpp"
#include "mp/pool.hpp"
#include "mp/process.hpp"
#include "mp/queues.hpp"
#include "mp/sharedctypes.hpp"
#include "mp/synchronize.hpp"
#include "mp/util.hpp"
