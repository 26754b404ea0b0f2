#include "object_view.hpp"

#include "header_menu.hpp"
#include "process_view.hpp"
#include "style.hpp"

#include <QEvent>
#include <QHeaderView>
#include <QPainter>
#include <QVBoxLayout>

namespace mpui {

void LevelDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const {
    const double fill = index.data(ObjectModel::LevelRole).toDouble();
    if (fill < 0) {
        CachedTextDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    // Background and selection as the style draws them, then the gauge.
    opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const double backlog = index.data(ObjectModel::BacklogRole).toDouble();
    const QColor colour = kindColour(index.data(ObjectModel::KindRole).toString().toStdString());
    const QRectF track = QRectF(option.rect).adjusted(4, 4, -4, -4);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0xe5, 0xe7, 0xeb));
    painter->drawRoundedRect(track, 3, 3);
    QRectF bar = track;
    bar.setWidth(track.width() * std::clamp(fill, 0.0, 1.0));
    QColor c = colour;
    c.setAlpha(150);
    painter->setBrush(c);
    painter->drawRoundedRect(bar, 3, 3);
    if (backlog > 0) {
        QRectF extra(bar.right(), track.top(), track.width() * backlog, track.height());
        extra.setRight(std::min(extra.right(), track.right()));
        painter->setBrush(QBrush(colour, Qt::BDiagPattern));
        painter->drawRect(extra);
    }
    painter->setPen(QColor(0x11, 0x18, 0x27));
    painter->drawText(track, Qt::AlignCenter, text);
    painter->restore();
}

void ObjectFilterModel::setText(const QString& text) {
    text_ = text;
    invalidateFilter();
}

bool ObjectFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QString& text = text_;
    if (text.isEmpty()) return true;
    const QAbstractItemModel* m = sourceModel();
    return m->index(sourceRow, ObjectModel::Name, sourceParent)
               .data()
               .toString()
               .contains(text, Qt::CaseInsensitive) ||
           m->index(sourceRow, ObjectModel::Kind, sourceParent)
               .data()
               .toString()
               .contains(text, Qt::CaseInsensitive);
}

ObjectView::ObjectView(ObjectModel* model, SelectionHub* selection, QWidget* parent)
    : QWidget(parent)
    , model_(model) {
    setObjectName(QStringLiteral("objectView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    filter_.setClearButtonEnabled(true);
    layout->addWidget(&filter_);
    layout->addWidget(&table_);
    proxy_.setSourceModel(model);
    proxy_.setSortRole(ObjectModel::SortRole);
    proxy_.setDynamicSortFilter(true);
    table_.setModel(&proxy_);
    table_.setObjectName(QStringLiteral("objectTable"));
    table_.setItemDelegate(&textDelegate_);
    table_.setItemDelegateForColumn(ObjectModel::Level, &delegate_);
    table_.setSortingEnabled(true);
    table_.sortByColumn(ObjectModel::Name, Qt::AscendingOrder);
    table_.setSelectionBehavior(QAbstractItemView::SelectRows);
    table_.setSelectionMode(QAbstractItemView::SingleSelection);
    table_.setAlternatingRowColors(true);
    table_.setWordWrap(false);
    table_.verticalHeader()->hide();
    table_.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_.verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    table_.horizontalHeader()->setStretchLastSection(false);
    table_.horizontalHeader()->setSectionResizeMode(ObjectModel::State, QHeaderView::Stretch);
    const int widths[ObjectModel::ColumnCount] = {120, 96, 96, 260, 60, 76, 110};
    for (int c = 0; c < ObjectModel::ColumnCount; ++c)
        table_.setColumnWidth(c, widths[c]);
    table_.setColumnHidden(ObjectModel::Creator, true); // the header's context menu shows it
    addColumnMenu(table_.horizontalHeader());
    connect(&filter_, &QLineEdit::textChanged, &proxy_, &ObjectFilterModel::setText);
    sync_ = std::make_unique<SelectionSync>(&table_, &proxy_, selection, ItemRef::Kind::Object,
                                            ObjectModel::ObjectIdRole,
                                            [this](quint32 id) { return model_->indexOf(id); });
    retranslate();
}

ObjectView::~ObjectView() = default;

void ObjectView::retranslate() {
    filter_.setPlaceholderText(tr("Filter by name or kind…"));
}

void ObjectView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace mpui
