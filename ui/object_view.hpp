#pragma once
// The object table: every shared object with its state in words and a gauge (a queue's fill against its
// capacity with the feeder backlog after it, a semaphore's value, a barrier's waiting parties), filterable,
// sortable, tied to the shared selection.
#include "object_model.hpp"
#include "selection.hpp"

#include "cached_text_delegate.hpp"
#include <QLineEdit>
#include <QSortFilterProxyModel>

#include <QStyledItemDelegate>
#include <QTableView>
#include <QWidget>

#include <memory>

namespace mpui {

class SelectionSync;

// Draws ObjectModel's Level column as a bar.
class LevelDelegate : public CachedTextDelegate {
    Q_OBJECT
public:
    using CachedTextDelegate::CachedTextDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

// Matches the filter text against an object's name and kind only: the state column changes every refresh.
class ObjectFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString text_;
};

class ObjectView : public QWidget {
    Q_OBJECT
public:
    ObjectView(ObjectModel* model, SelectionHub* selection, QWidget* parent = nullptr);
    ~ObjectView() override;
    QTableView* table() { return &table_; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    ObjectModel* model_;
    QLineEdit filter_;
    CachedTextDelegate textDelegate_; // before table_: outlives it
    QTableView table_;
    ObjectFilterModel proxy_;
    LevelDelegate delegate_;
    std::unique_ptr<SelectionSync> sync_;
};

} // namespace mpui
