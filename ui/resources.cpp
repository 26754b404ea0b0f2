#include "resources.hpp"

#include <QtGlobal>

// Q_INIT_RESOURCE names a function at global scope, so it cannot be used inside a namespace.
static void initMpscopeQrc() {
    Q_INIT_RESOURCE(mpscope);
}

namespace mpui {
void initResources() {
    initMpscopeQrc();
}
} // namespace mpui
