#pragma once
// An item delegate for views that repaint many cells every refresh (processes, objects, events). The style
// draws each cell's background, selection, focus and icon as usual; the text is drawn from a QStaticText
// kept per string, font and width, so a cell whose text did not change is not shaped and laid out again
// on every paint, which is most of the GUI thread's painting time at 30 refreshes a second.
#include <QHash>
#include <QStaticText>
#include <QStyledItemDelegate>

namespace mpui {

// Plain text laid out once for `font`, to be drawn many times with QPainter::drawStaticText.
QStaticText preparedText(const QString& text, const QFont& font);

class CachedTextDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

    // Draws `text` into `rect` the way the style draws an item's text (alignment, elision, font, colour).
    void drawText(QPainter* painter, const QStyleOptionViewItem& option, const QRect& rect,
                  const QString& text) const;

private:
    struct Key {
        QString text;
        QString font;
        int width; // the width it was elided to, or -1
        bool operator==(const Key&) const = default;
    };
    friend size_t qHash(const Key& key, size_t seed) {
        return qHashMulti(seed, key.text, key.font, key.width);
    }
    const QStaticText& staticText(const QString& text, const QFont& font, int width) const;

    mutable QHash<Key, QStaticText> cache_;
};

} // namespace mpui
