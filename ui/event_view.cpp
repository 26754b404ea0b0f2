#include "event_view.hpp"

#include "header_menu.hpp"
#include "words.hpp"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace mpui {

EventView::EventView(EventModel* model, SelectionHub* selection, QWidget* parent)
    : QWidget(parent)
    , model_(model)
    , selection_(selection) {
    setObjectName(QStringLiteral("eventView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 0);
    for (QComboBox* combo : {&process_, &object_, &op_}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(9);
        bar->addWidget(combo);
    }
    text_.setClearButtonEnabled(true);
    text_.setMinimumWidth(100);
    bar->addWidget(&text_, 1);
    bar->addWidget(&follow_);
    bar->addWidget(&count_);
    layout->addLayout(bar);
    layout->addWidget(&table_);

    proxy_.setSourceModel(model);
    proxy_.setDynamicSortFilter(true);
    table_.setObjectName(QStringLiteral("eventTable"));
    table_.setModel(&proxy_);
    table_.setItemDelegate(&textDelegate_);
    table_.setSelectionBehavior(QAbstractItemView::SelectRows);
    table_.setAlternatingRowColors(true);
    table_.setWordWrap(false);
    table_.verticalHeader()->hide();
    table_.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_.verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    table_.horizontalHeader()->setStretchLastSection(true);
    // Follow new events while scrolled to the bottom; stay put once the user scrolls up to read.
    connect(table_.verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this](int value) { atBottom_ = value >= table_.verticalScrollBar()->maximum() - 1; });
    const int widths[EventModel::ColumnCount] = {90, 140, 140, 110, 80, 60};
    for (int c = 0; c < EventModel::ColumnCount; ++c)
        table_.setColumnWidth(c, widths[c]);
    addColumnMenu(table_.horizontalHeader());

    connect(&process_, &QComboBox::currentIndexChanged, this, &EventView::applyCombos);
    connect(&object_, &QComboBox::currentIndexChanged, this, &EventView::applyCombos);
    connect(&op_, &QComboBox::currentIndexChanged, this, &EventView::applyCombos);
    connect(&text_, &QLineEdit::textChanged, &proxy_, &EventFilterModel::setText);
    connect(&follow_, &QCheckBox::toggled, this, [this](bool on) {
        if (on) followSelection(selection_->current());
    });
    connect(selection_, &SelectionHub::changed, this, [this](ItemRef ref) {
        if (follow_.isChecked()) followSelection(ref);
    });
    connect(model_, &EventModel::operationsChanged, this, [this] {
        const QString current = op_.currentData().toString();
        const QSignalBlocker block(op_);
        op_.clear();
        op_.addItem(tr("All operations"), QString());
        for (const QString& op : model_->operations())
            op_.addItem(op, op);
        op_.setCurrentIndex(std::max(0, op_.findData(current)));
    });
    // Double-click: select the event's process, or its object when the object column was clicked.
    connect(&table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const quint32 object = index.data(EventModel::ObjectIdRole).toUInt();
        if (index.column() == EventModel::Object && object)
            selection_->select(ItemRef::object(object));
        else
            selection_->select(ItemRef::process(index.data(EventModel::ProcessIdRole).toUInt()));
    });
    retranslate();
}

void EventView::clear() {
    processCount_ = objectCount_ = 0;
    const QSignalBlocker a(process_), b(object_);
    process_.clear();
    object_.clear();
    process_.addItem(tr("All processes"), 0u);
    object_.addItem(tr("All objects"), 0u);
    applyCombos();
    updateCount();
}

void EventView::fillChoices(const FramePtr& frame) {
    const auto& snap = frame->snapshot;
    std::size_t objects = 0;
    for (const auto& o : snap.objects)
        objects += o.internal ? 0 : 1;
    if (snap.processes.size() == processCount_ && objects == objectCount_) return;
    processCount_ = snap.processes.size();
    objectCount_ = objects;
    const quint32 p = process_.currentData().toUInt(), o = object_.currentData().toUInt();
    const QSignalBlocker a(process_), b(object_);
    process_.clear();
    process_.addItem(tr("All processes"), 0u);
    for (const auto& proc : snap.processes)
        process_.addItem(QString::fromStdString(proc.name), proc.id);
    object_.clear();
    object_.addItem(tr("All objects"), 0u);
    for (const auto& obj : snap.objects)
        if (!obj.internal)
            object_.addItem(kindIcon(QString::fromStdString(obj.kind)), QString::fromStdString(obj.name),
                            obj.id);
    process_.setCurrentIndex(std::max(0, process_.findData(p)));
    object_.setCurrentIndex(std::max(0, object_.findData(o)));
}

void EventView::setFrame(const FramePtr& frame) {
    fillChoices(frame);
    updateCount();
    if (atBottom_ && !frame->events.empty()) table_.scrollToBottom();
}

void EventView::applyCombos() {
    proxy_.setProcess(process_.currentData().toUInt());
    proxy_.setObject(object_.currentData().toUInt());
    proxy_.setOperation(op_.currentData().toString());
    updateCount();
}

void EventView::followSelection(ItemRef ref) {
    const QSignalBlocker a(process_), b(object_);
    process_.setCurrentIndex(std::max(0, ref.isProcess() ? process_.findData(ref.id) : 0));
    object_.setCurrentIndex(std::max(0, ref.isObject() ? object_.findData(ref.id) : 0));
    applyCombos();
}

void EventView::updateCount() {
    const QLocale locale;
    count_.setText(proxy_.rowCount() == model_->rowCount()
                       ? locale.toString(model_->rowCount())
                       : format(tr("%1 of %2"),
                                {locale.toString(proxy_.rowCount()), locale.toString(model_->rowCount())}));
    count_.setToolTip(
        tr("Events shown, of those kept (the newest %1)").arg(locale.toString(model_->limit())));
}

void EventView::retranslate() {
    text_.setPlaceholderText(tr("Search…"));
    text_.setToolTip(tr("Show only events whose process, object or operation contains this text"));
    follow_.setText(tr("Follow selection"));
    follow_.setToolTip(tr("Show only the events of the process or object selected in any view"));
    const QString all[] = {tr("All processes"), tr("All objects"), tr("All operations")};
    QComboBox* combos[] = {&process_, &object_, &op_};
    for (int i = 0; i < 3; ++i) {
        if (combos[i]->count() == 0)
            combos[i]->addItem(all[i], combos[i] == &op_ ? QVariant(QString()) : QVariant(0u));
        else
            combos[i]->setItemText(0, all[i]);
    }
    updateCount();
}

void EventView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace mpui
