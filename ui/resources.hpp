#pragma once
// libmpui is a static library: its embedded resources (icons) are pulled into a binary by calling this once.
namespace mpui {
void initResources();
} // namespace mpui
