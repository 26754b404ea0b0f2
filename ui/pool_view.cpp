#include "pool_view.hpp"

#include "header_menu.hpp"
#include "process_view.hpp"
#include "time_scale.hpp"

#include <QApplication>
#include <QEvent>
#include <QHeaderView>
#include <QPainter>
#include <QVBoxLayout>

namespace mpui {

QColor PoolTimesDelegate::colour(int part) {
    switch (part) {
    case 0:
        return QColor(0x93, 0xc5, 0xfd); // start-up
    case 1:
        return QColor(0xfc, 0xd3, 0x4d); // waiting
    default:
        return QColor(0x4a, 0xde, 0x80); // working
    }
}

void PoolTimesDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear(); // the bars stand for the text, which stays the tool tip
    QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const QRectF area = QRectF(option.rect).adjusted(4, 4, -4, -4);
    const TimeScale scale =
        TimeScale::upTo(index.data(PoolModel::LongestRole).toDouble(), 0.1, area.left(), area.right());
    const double parts[3] = {index.data(PoolModel::StartupRole).toDouble(),
                             index.data(PoolModel::WaitingRole).toDouble(),
                             index.data(PoolModel::WorkingRole).toDouble()};
    double t = 0;
    painter->save();
    for (int i = 0; i < 3; ++i) {
        const double x0 = scale.toPixel(t), x1 = scale.toPixel(t + parts[i]);
        painter->fillRect(QRectF(x0, area.top(), std::max(0.0, x1 - x0), area.height()), colour(i));
        t += parts[i];
    }
    painter->restore();
}

PoolView::PoolView(PoolModel* model, SelectionHub* selection, QWidget* parent)
    : QWidget(parent)
    , model_(model) {
    setObjectName(QStringLiteral("poolView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 0);
    layout->setSpacing(2);
    summary_.setObjectName(QStringLiteral("poolSummary"));
    summary_.setWordWrap(true);
    layout->addWidget(&summary_);
    layout->addWidget(&table_);
    proxy_.setSourceModel(model);
    table_.setModel(&proxy_);
    table_.setItemDelegate(&textDelegate_);
    table_.setItemDelegateForColumn(PoolModel::Times, &delegate_);
    table_.setSelectionBehavior(QAbstractItemView::SelectRows);
    table_.setSelectionMode(QAbstractItemView::SingleSelection);
    table_.verticalHeader()->hide();
    table_.setWordWrap(false); // one line a worker: a long text is elided rather than cut in two
    table_.horizontalHeader()->setSectionResizeMode(PoolModel::Times, QHeaderView::Stretch);
    // Narrow enough that the bars keep some room in the 720 pixels of the right dock area.
    const int widths[PoolModel::ColumnCount] = {60, 112, 56, 118, 76, 100, 160};
    for (int c = 0; c < PoolModel::ColumnCount; ++c)
        table_.setColumnWidth(c, widths[c]);
    addColumnMenu(table_.horizontalHeader());
    sync_ = std::make_unique<SelectionSync>(&table_, &proxy_, selection, ItemRef::Kind::Process,
                                            PoolModel::ProcessIdRole,
                                            [this](quint32 id) { return model_->indexOfProcess(id); });
    retranslate();
}

PoolView::~PoolView() = default;

void PoolView::setFrame(const FramePtr&) {
    const QStringList lines = model_->summaries();
    summary_.setText(lines.isEmpty() ? tr("No process Pool in this session.")
                                     : lines.join(QLatin1Char('\n')));
}

void PoolView::retranslate() {
    table_.horizontalHeader()->setToolTip(
        tr("Bars: start-up (blue), waiting for a task (yellow), working (green), "
           "all on one time scale"));
    setFrame(nullptr);
}

void PoolView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace mpui
