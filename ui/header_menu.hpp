#pragma once
// A context menu on a table's header to show and hide its columns.
class QHeaderView;

namespace mpui {
void addColumnMenu(QHeaderView* header);
} // namespace mpui
