#pragma once
// The process tree: a sortable tree over ProcessModel, tied to the shared selection, with a context menu
// request for the per-process actions.
#include "cached_text_delegate.hpp"
#include "process_model.hpp"
#include "selection.hpp"

#include <QSortFilterProxyModel>
#include <QTreeView>

#include <functional>
#include <memory>

namespace mpui {

class SelectionSync;

class ProcessView : public QTreeView {
    Q_OBJECT
public:
    ProcessView(ProcessModel* model, SelectionHub* selection, QWidget* parent = nullptr);

signals:
    void processMenuRequested(quint32 process, const QPoint& globalPos);

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void follow(ItemRef ref);

    ProcessModel* model_;
    SelectionHub* selection_;
    QSortFilterProxyModel proxy_;
    CachedTextDelegate textDelegate_;
    std::unique_ptr<SelectionSync> sync_;
};

// Ties a flat item view over a proxy of a model with an id role to the shared selection, both ways.
class SelectionSync : public QObject {
    Q_OBJECT
public:
    // `kind`: what the rows are; `idRole`: the role that gives their id.
    SelectionSync(QAbstractItemView* view, QSortFilterProxyModel* proxy, SelectionHub* selection,
                  ItemRef::Kind kind, int idRole, std::function<QModelIndex(quint32)> indexOf);
    ~SelectionSync() override;

private:
    QAbstractItemView* view_;
    QSortFilterProxyModel* proxy_;
    SelectionHub* selection_;
    ItemRef::Kind kind_;
    int idRole_;
    std::function<QModelIndex(quint32)> indexOf_;
    bool syncing_ = false;
};

} // namespace mpui
