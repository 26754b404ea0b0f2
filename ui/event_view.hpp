#pragma once
// The event stream as a filterable table: by process, object and operation, by text, or following the
// shared selection; it scrolls along with new events while it is scrolled to the bottom.
#include "cached_text_delegate.hpp"
#include "event_model.hpp"
#include "selection.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QWidget>

namespace mpui {

class EventView : public QWidget {
    Q_OBJECT
public:
    EventView(EventModel* model, SelectionHub* selection, QWidget* parent = nullptr);

    // After each frame: refreshes the filter choices and follows the newest rows.
    void setFrame(const FramePtr& frame);
    void clear();
    EventFilterModel* filter() { return &proxy_; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void fillChoices(const FramePtr& frame);
    void applyCombos();
    void followSelection(ItemRef ref);
    void updateCount();

    EventModel* model_;
    SelectionHub* selection_;
    EventFilterModel proxy_;
    QComboBox process_, object_, op_;
    QLineEdit text_;
    QCheckBox follow_;
    QLabel count_;
    CachedTextDelegate textDelegate_; // before table_: outlives it
    QTableView table_;
    std::size_t processCount_ = 0, objectCount_ = 0;
    bool atBottom_ = true;
};

} // namespace mpui
