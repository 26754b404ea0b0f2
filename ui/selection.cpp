#include "selection.hpp"

namespace mpui {

void SelectionHub::select(ItemRef ref) {
    if (ref == current_) return;
    current_ = ref;
    emit changed(ref);
}

} // namespace mpui
