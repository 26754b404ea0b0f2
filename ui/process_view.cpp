#include "process_view.hpp"

#include "header_menu.hpp"

#include <QContextMenuEvent>
#include <QHeaderView>
#include <QScopedValueRollback>

namespace mpui {

SelectionSync::SelectionSync(QAbstractItemView* view, QSortFilterProxyModel* proxy, SelectionHub* selection,
                             ItemRef::Kind kind, int idRole, std::function<QModelIndex(quint32)> indexOf)
    : view_(view)
    , proxy_(proxy)
    , selection_(selection)
    , kind_(kind)
    , idRole_(idRole)
    , indexOf_(std::move(indexOf)) {
    connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (syncing_ || !current.isValid()) return;
                selection_->select({kind_, current.data(idRole_).toUInt()});
            });
    connect(selection_, &SelectionHub::changed, this, [this](ItemRef ref) {
        const QScopedValueRollback guard(syncing_, true);
        if (ref.kind != kind_) {
            view_->selectionModel()->clearSelection();
            return;
        }
        const QModelIndex index = proxy_->mapFromSource(indexOf_(ref.id));
        if (!index.isValid()) return;
        view_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                            QItemSelectionModel::Rows);
        view_->scrollTo(index);
    });
}

SelectionSync::~SelectionSync() = default;

ProcessView::ProcessView(ProcessModel* model, SelectionHub* selection, QWidget* parent)
    : QTreeView(parent)
    , model_(model)
    , selection_(selection) {
    setObjectName(QStringLiteral("processView"));
    proxy_.setSourceModel(model);
    proxy_.setSortRole(ProcessModel::SortRole);
    proxy_.setDynamicSortFilter(true);
    setModel(&proxy_);
    setItemDelegate(&textDelegate_);
    setSortingEnabled(true);
    sortByColumn(-1, Qt::AscendingOrder); // the model's order (creation) until a header is clicked
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setSelectionBehavior(SelectRows);
    setSelectionMode(SingleSelection);
    setAllColumnsShowFocus(true);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(ProcessModel::BlockedOn, QHeaderView::Stretch);
    // Wide enough for names like ForkServerPoolWorker-1 under their parent, "killed by SIGKILL" and
    // "-9 (SIGKILL)"; what is left goes to the stretching Blocked on column.
    const int widths[ProcessModel::ColumnCount] = {220, 56, 84, 112, 96, 92, 60};
    for (int c = 0; c < ProcessModel::ColumnCount; ++c)
        setColumnWidth(c, widths[c]);
    addColumnMenu(header());
    // New children show up expanded: the tree is small and its shape is the point.
    connect(&proxy_, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent) {
        if (parent.isValid()) expand(parent);
    });
    connect(&proxy_, &QAbstractItemModel::modelReset, this, &QTreeView::expandAll);
    sync_ = std::make_unique<SelectionSync>(this, &proxy_, selection, ItemRef::Kind::Process,
                                            ProcessModel::ProcessIdRole,
                                            [this](quint32 id) { return model_->indexOf(id); });
}

void ProcessView::contextMenuEvent(QContextMenuEvent* event) {
    const QModelIndex index = indexAt(event->pos()); // viewport coordinates
    if (!index.isValid()) return;
    const quint32 id = index.data(ProcessModel::ProcessIdRole).toUInt();
    selection_->select(ItemRef::process(id));
    emit processMenuRequested(id, event->globalPos());
}

} // namespace mpui
