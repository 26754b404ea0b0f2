// CachedTextDelegate draws a cell's text where and as the style's own delegate does - alignment, elision,
// the selected colour - only from cached layouts: each cell is rendered with both and the ink compared.
#include "cached_text_delegate.hpp"
#include "ui_test_support.hpp"

#include <QApplication>
#include <QHeaderView>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTest>

namespace {

// The bounding box of the pixels in `cell` that differ from its top-left pixel (the cell's background).
QRect inkBox(const QImage& image, const QRect& cell) {
    const QColor background = image.pixelColor(cell.topLeft() + QPoint(1, 1));
    QRect box;
    for (int y = cell.top() + 1; y < cell.bottom(); ++y)
        for (int x = cell.left() + 1; x < cell.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - background.red()) + std::abs(c.green() - background.green()) +
                    std::abs(c.blue() - background.blue()) >
                120)
                box |= QRect(x, y, 1, 1);
        }
    return box;
}

struct Table {
    QStandardItemModel model{3, 3};
    QTableView view;
    QStyledItemDelegate styled;
    mpui::CachedTextDelegate cached;

    Table() {
        model.setItem(0, 0, new QStandardItem(QStringLiteral("left")));
        auto* right = new QStandardItem(QStringLiteral("1234"));
        right->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        model.setItem(0, 1, right);
        model.setItem(0, 2,
                      new QStandardItem(QStringLiteral("held by philosopher-0; 1 waiter; a long state")));
        model.setItem(1, 0, new QStandardItem(QStringLiteral("selected")));
        auto* centred = new QStandardItem(QStringLiteral("mid"));
        centred->setTextAlignment(Qt::AlignCenter);
        model.setItem(1, 1, centred);
        view.setModel(&model);
        view.setWordWrap(false);
        view.setColumnWidth(0, 120);
        view.setColumnWidth(1, 120);
        view.setColumnWidth(2, 110); // narrower than its text: elided
        view.resize(420, 160);
        view.show();
        view.selectionModel()->select(model.index(1, 0), QItemSelectionModel::Select);
    }

    QImage render(QAbstractItemDelegate* delegate) {
        view.setItemDelegate(delegate);
        view.viewport()->repaint();
        return view.viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    }
    QRect cell(int row, int column) const { return view.visualRect(model.index(row, column)); }
};

bool near(const QRect& a, const QRect& b, int tolerance) {
    return std::abs(a.left() - b.left()) <= tolerance && std::abs(a.right() - b.right()) <= tolerance &&
           std::abs(a.top() - b.top()) <= tolerance && std::abs(a.bottom() - b.bottom()) <= tolerance;
}

} // namespace

class TestCachedTextDelegate : public QObject {
    Q_OBJECT
private slots:
    void drawsTextWhereTheStyleDoes() {
        Table t;
        const QImage styled = t.render(&t.styled);
        const QImage cached = t.render(&t.cached);
        for (const auto& [row, column] : {std::pair{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}}) {
            const QRect cell = t.cell(row, column);
            const QRect expected = inkBox(styled, cell), actual = inkBox(cached, cell);
            QVERIFY2(!expected.isEmpty(), "the style drew no text");
            QVERIFY2(near(expected, actual, 2),
                     qPrintable(QStringLiteral("cell %1,%2: style %3,%4 %5x%6, cached %7,%8 %9x%10")
                                    .arg(row)
                                    .arg(column)
                                    .arg(expected.x())
                                    .arg(expected.y())
                                    .arg(expected.width())
                                    .arg(expected.height())
                                    .arg(actual.x())
                                    .arg(actual.y())
                                    .arg(actual.width())
                                    .arg(actual.height())));
        }
    }

    void alignsAndElides() {
        Table t;
        const QImage image = t.render(&t.cached);
        const QRect left = t.cell(0, 0), right = t.cell(0, 1), centred = t.cell(1, 1), elided = t.cell(0, 2);
        QVERIFY(inkBox(image, left).left() - left.left() < 8);
        QVERIFY(right.right() - inkBox(image, right).right() < 8);
        const QRect mid = inkBox(image, centred);
        QVERIFY(std::abs((mid.left() - centred.left()) - (centred.right() - mid.right())) <= 3);
        // The long text fills its cell up to the margin and no further: it was elided, not cut or spilled.
        const QRect ink = inkBox(image, elided);
        QVERIFY(elided.right() - ink.right() < 20);
        QVERIFY(ink.right() < elided.right());
    }

    void selectedTextTakesTheHighlightedColour() {
        Table t;
        const QImage image = t.render(&t.cached);
        const QColor highlighted = t.view.palette().color(QPalette::Active, QPalette::HighlightedText);
        const QRect box = inkBox(image, t.cell(1, 0));
        bool found = false;
        for (int y = box.top(); y <= box.bottom() && !found; ++y)
            for (int x = box.left(); x <= box.right() && !found; ++x)
                found = image.pixelColor(x, y) == highlighted;
        QVERIFY2(found, "no pixel of the selected cell's text has the highlighted-text colour");
    }
};

MPUI_QTEST_MAIN(TestCachedTextDelegate)
#include "tst_cached_text_delegate.moc"
