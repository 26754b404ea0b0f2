#pragma once
// The Pool pane: each pool's state in a line, then its workers with their time as stacked bars (start-up,
// waiting for a task, working) on one scale, so that who did the work shows at a glance.
#include "cached_text_delegate.hpp"
#include "pool_model.hpp"
#include "selection.hpp"

#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QWidget>

#include <memory>

namespace mpui {

class SelectionSync;

class PoolTimesDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    static QColor colour(int part); // 0 start-up, 1 waiting, 2 working
};

class PoolView : public QWidget {
    Q_OBJECT
public:
    PoolView(PoolModel* model, SelectionHub* selection, QWidget* parent = nullptr);
    ~PoolView() override;
    void setFrame(const FramePtr& frame);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    PoolModel* model_;
    // Members in this order so that the table goes before the proxy and delegate it uses.
    QLabel summary_;
    QSortFilterProxyModel proxy_;
    PoolTimesDelegate delegate_;
    CachedTextDelegate textDelegate_; // before table_: outlives it
    QTableView table_;
    std::unique_ptr<SelectionSync> sync_;
};

} // namespace mpui
