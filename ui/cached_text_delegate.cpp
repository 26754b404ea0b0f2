#include "cached_text_delegate.hpp"

#include <QApplication>
#include <QPainter>
#include <QStyle>

namespace mpui {

namespace {

// Enough for every distinct string a few views show at once; past it the cache starts again.
constexpr qsizetype kCacheLimit = 8192;

} // namespace

QStaticText preparedText(const QString& text, const QFont& font) {
    QStaticText st(text);
    st.setTextFormat(Qt::PlainText);
    st.setPerformanceHint(QStaticText::AggressiveCaching);
    st.prepare(QTransform(), font);
    return st;
}

const QStaticText& CachedTextDelegate::staticText(const QString& text, const QFont& font, int width) const {
    Key key{text, font.key(), width};
    auto it = cache_.find(key);
    if (it != cache_.end()) return *it;
    if (cache_.size() >= kCacheLimit) cache_.clear();
    return *cache_.insert(std::move(key), preparedText(text, font));
}

void CachedTextDelegate::drawText(QPainter* painter, const QStyleOptionViewItem& option, const QRect& rect,
                                  const QString& text) const {
    if (text.isEmpty() || rect.width() <= 0) return;
    // A cell shows one line, as QCommonStyle draws it: line breaks become spaces.
    QString line = text;
    line.replace(QLatin1Char('\n'), QChar::LineSeparator);
    const QStaticText* st = &staticText(line, option.font, -1);
    if (st->size().width() > rect.width() && option.textElideMode != Qt::ElideNone) {
        const QString elided = QFontMetrics(option.font).elidedText(line, option.textElideMode, rect.width());
        st = &staticText(elided, option.font, rect.width());
    }
    const Qt::Alignment align = QStyle::visualAlignment(option.direction, option.displayAlignment);
    const QSizeF size = st->size();
    double x = rect.left();
    if (align & Qt::AlignRight)
        x = rect.right() + 1 - size.width();
    else if (align & Qt::AlignHCenter)
        x = rect.left() + (rect.width() - size.width()) / 2;
    double y = rect.top() + (rect.height() - size.height()) / 2;
    if (align & Qt::AlignTop)
        y = rect.top();
    else if (align & Qt::AlignBottom)
        y = rect.bottom() + 1 - size.height();
    const QPalette::ColorGroup group = !(option.state & QStyle::State_Enabled)  ? QPalette::Disabled
                                       : !(option.state & QStyle::State_Active) ? QPalette::Inactive
                                                                                : QPalette::Normal;
    painter->save();
    painter->setClipRect(rect, Qt::IntersectClip);
    painter->setFont(option.font);
    painter->setPen(option.palette.color(
        group, option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawStaticText(QPointF(x, y), *st);
    painter->restore();
}

void CachedTextDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget* widget = opt.widget;
    const QStyle* style = widget ? widget->style() : QApplication::style();
    // The text's place as the style lays the item out, with the margin it leaves on either side.
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    const QRect textRect =
        style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).adjusted(margin, 0, -margin, 0);
    const QString text = opt.text;
    opt.text.clear();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    drawText(painter, opt, textRect, text);
}

} // namespace mpui
