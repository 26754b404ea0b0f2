#include "heat_map_view.hpp"

#include "style.hpp"
#include "words.hpp"

#include <QEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace mpui {

namespace {

constexpr int kPad = 10;
constexpr int kHeader = 22;
constexpr int kSectionGap = 14;
constexpr double kMaxGridHeight = 180;

QColor toColour(Rgb c) {
    return QColor(c.r, c.g, c.b);
}

// A cell's value in at most a few characters: 42, -3.5, 1.2e+06.
QString shortNumber(double v) {
    if (v == std::floor(v) && std::abs(v) < 1e5) return QString::number(static_cast<qint64>(v));
    return QString::number(v, 'g', 3);
}

} // namespace

HeatMapCanvas::HeatMapCanvas(SelectionHub* selection, QWidget* parent)
    : QWidget(parent)
    , selection_(selection) {
    setObjectName(QStringLiteral("heatMapCanvas"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(false);
}

void HeatMapCanvas::setFrame(const FramePtr& frame) {
    frame_ = frame;
    const auto& snap = frame->snapshot;
    std::vector<Section> sections;
    for (const auto& o : snap.objects) {
        if (o.internal || !isSharedMemoryKind(o.kind)) continue;
        Section s;
        s.id = o.id;
        s.name = QString::fromStdString(o.name);
        s.values = o.data;
        for (const QString& f : QString::fromStdString(o.fields).split(QLatin1Char(','), Qt::SkipEmptyParts))
            s.fields << f.section(QLatin1Char(':'), 0, 0);
        s.scalar = o.kind == "Value";
        const int perElement = std::max<int>(1, static_cast<int>(s.fields.size()));
        s.scale = ColourScale::fit(s.values);
        QString range;
        if (!s.values.empty())
            range =
                s.scale.min == s.scale.max
                    ? format(tr("all %1"), {Words::number(s.scale.min)})
                    : format(tr("from %1 to %2"), {Words::number(s.scale.min), Words::number(s.scale.max)});
        const QString type = o.typecode == 'T'
                                 ? format(Words::tr("struct (%1)"), {QString::fromStdString(o.fields)})
                                 : QStringLiteral("'%1'").arg(QChar::fromLatin1(o.typecode));
        s.header = QStringLiteral("%1 %2 × %3").arg(QString::fromStdString(o.kind), type).arg(o.length);
        if (!range.isEmpty()) s.header += QStringLiteral(" · ") + range;
        // The newest write of each cell still fresh enough to mark.
        for (const auto& w : o.recent_writes) {
            const double age = snap.time - w.time;
            if (age > kWriteFade) continue;
            for (int f = 0; f < perElement; ++f) {
                const int index = static_cast<int>(w.index) * perElement + f;
                if (index >= static_cast<int>(s.values.size())) continue;
                auto it = std::find_if(s.writes.begin(), s.writes.end(),
                                       [&](const Section::Mark& m) { return m.index == index; });
                if (it == s.writes.end())
                    s.writes.push_back({index, w.process, age});
                else if (age < it->age)
                    *it = {index, w.process, age};
            }
        }
        sections.push_back(std::move(s));
    }
    sections_ = std::move(sections);
    relayout();
    update();
}

void HeatMapCanvas::setSelected(ItemRef ref) {
    selected_ = ref;
    update();
}

void HeatMapCanvas::relayout() {
    const double width = std::max(100, this->width() - 2 * kPad);
    double y = kPad;
    for (Section& s : sections_) {
        s.top = y;
        s.gridTop = y + kHeader;
        s.grid = HeatGrid::fit(static_cast<int>(s.values.size()), width, kMaxGridHeight);
        y = s.gridTop + s.grid.height() + kSectionGap;
    }
    const int height = static_cast<int>(std::ceil(y));
    if (height != height_) {
        height_ = height;
        setMinimumHeight(height_);
        updateGeometry();
    }
}

QSize HeatMapCanvas::sizeHint() const {
    return {400, std::max(height_, 120)};
}

void HeatMapCanvas::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

std::pair<int, int> HeatMapCanvas::hit(const QPoint& pos) const {
    for (std::size_t i = 0; i < sections_.size(); ++i) {
        const Section& s = sections_[i];
        if (pos.y() < s.top || pos.y() > s.gridTop + s.grid.height()) continue;
        return {static_cast<int>(i), s.grid.indexAt(pos.x() - kPad, pos.y() - s.gridTop)};
    }
    return {-1, -1};
}

QString HeatMapCanvas::cellName(std::size_t section, int index) const {
    const Section& s = sections_[section];
    const int perElement = std::max<int>(1, static_cast<int>(s.fields.size()));
    QString name = s.scalar ? s.name : QStringLiteral("%1[%2]").arg(s.name).arg(index / perElement);
    if (!s.fields.isEmpty()) name += QLatin1Char('.') + s.fields[index % perElement];
    return name;
}

QString HeatMapCanvas::cellText(std::size_t section, int index) const {
    const Section& s = sections_[section];
    QString text = QStringLiteral("%1 = %2").arg(cellName(section, index),
                                                 Words::number(s.values[static_cast<std::size_t>(index)]));
    for (const Section::Mark& m : s.writes)
        if (m.index == index && frame_)
            text = format(tr("%1 — written by %2 %3 ago"),
                          {text, Words::processName(frame_->snapshot, m.process), Words::seconds(m.age)});
    return text;
}

bool HeatMapCanvas::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const auto [section, cell] = hit(help->pos());
        if (section >= 0 && cell >= 0)
            QToolTip::showText(help->globalPos(), cellText(static_cast<std::size_t>(section), cell), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void HeatMapCanvas::mousePressEvent(QMouseEvent* event) {
    const auto [section, cell] = hit(event->position().toPoint());
    if (section >= 0) selection_->select(ItemRef::object(sections_[static_cast<std::size_t>(section)].id));
    QWidget::mousePressEvent(event);
}

void HeatMapCanvas::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(event->rect(), palette().color(QPalette::Base));
    if (sections_.empty()) {
        p.setPen(QColor(0x6b, 0x72, 0x80));
        p.drawText(
            rect().adjusted(kPad, kPad, -kPad, -kPad), Qt::AlignCenter | Qt::TextWordWrap,
            tr("No shared Value or Array in this session yet. Their cells appear here, coloured by value, "
               "with recent writes outlined in the writer's colour."));
        return;
    }
    // Values written in the cells while there are few enough to read; beyond that, colours (and tool tips).
    std::size_t cells = 0;
    for (const Section& s : sections_)
        cells += s.values.size();
    const bool numbers = cells <= 1024;
    QFont bold = font();
    bold.setBold(true);
    QFont small = font();
    small.setPointSizeF(std::max(6.5, font().pointSizeF() - 2));
    const QFontMetrics boldMetrics(bold), fm(font());
    for (const Section& s : sections_) {
        const QRectF area(kPad / 2.0, s.top - 4, width() - kPad, kHeader + s.grid.height() + 8);
        if (!area.toRect().intersects(event->rect())) continue;
        if (selected_ == ItemRef::object(s.id)) {
            p.setPen(QPen(QColor(0x25, 0x63, 0xeb), 1.5));
            p.setBrush(QColor(0xef, 0xf6, 0xff));
            p.drawRoundedRect(area, 5, 5);
        }
        p.setFont(bold);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QPointF(kPad, s.top + boldMetrics.ascent()), s.name);
        double x = kPad + boldMetrics.horizontalAdvance(s.name) + 10;
        p.setFont(font());
        p.setPen(QColor(0x4b, 0x55, 0x63));
        p.drawText(QPointF(x, s.top + fm.ascent()), s.header);
        x += fm.horizontalAdvance(s.header) + 16;
        // The writers whose marks are on screen, in their colours.
        std::vector<quint32> writers;
        for (const Section::Mark& m : s.writes)
            if (std::find(writers.begin(), writers.end(), m.process) == writers.end())
                writers.push_back(m.process);
        std::sort(writers.begin(), writers.end());
        if (!writers.empty() && frame_) {
            const QString label = tr("written by:");
            p.drawText(QPointF(x, s.top + fm.ascent()), label);
            x += fm.horizontalAdvance(label) + 6;
            for (quint32 w : writers) {
                const QString name = Words::processName(frame_->snapshot, w);
                p.setPen(QPen(processColour(w), 2));
                p.setBrush(Qt::NoBrush);
                p.drawRect(QRectF(x, s.top + 3, 10, 10));
                p.setPen(QColor(0x37, 0x41, 0x51));
                p.drawText(QPointF(x + 14, s.top + fm.ascent()), name);
                x += 14 + fm.horizontalAdvance(name) + 10;
            }
        }
        p.setFont(small);
        const QFontMetrics sm(small);
        for (int i = 0; i < s.grid.count; ++i) {
            const QRectF cell(kPad + s.grid.cellX(i), s.gridTop + s.grid.cellY(i), s.grid.cell, s.grid.cell);
            const double v = s.values[static_cast<std::size_t>(i)];
            const Rgb rgb = s.scale.colour(v);
            p.fillRect(cell, toColour(rgb));
            if (numbers && s.grid.cell >= 24) {
                const QString text = shortNumber(v);
                if (sm.horizontalAdvance(text) <= s.grid.cell - 2) {
                    p.setPen(toColour(ColourScale::textOn(rgb)));
                    p.drawText(cell, Qt::AlignCenter, text);
                }
            }
        }
        p.setRenderHint(QPainter::Antialiasing);
        for (const Section::Mark& m : s.writes) {
            const QRectF cell(kPad + s.grid.cellX(m.index), s.gridTop + s.grid.cellY(m.index), s.grid.cell,
                              s.grid.cell);
            QColor c = processColour(m.process);
            c.setAlphaF(0.35 + 0.65 * writeEmphasis(m.age, kWriteFade));
            p.setPen(QPen(c, 2.5));
            p.setBrush(Qt::NoBrush);
            p.drawRect(cell.adjusted(1.25, 1.25, -1.25, -1.25));
            const double t = std::min(8.0, s.grid.cell / 3);
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            p.drawPolygon(
                QPolygonF{cell.topRight(), cell.topRight() - QPointF(t, 0), cell.topRight() + QPointF(0, t)});
        }
        p.setRenderHint(QPainter::Antialiasing, false);
    }
}

HeatMapView::HeatMapView(SelectionHub* selection, QWidget* parent)
    : QScrollArea(parent)
    , canvas_(selection) {
    setObjectName(QStringLiteral("heatMapView"));
    setWidgetResizable(true);
    setWidget(&canvas_); // a member: destroyed before the scroll area, which only keeps a guarded pointer
    connect(selection, &SelectionHub::changed, this, [this](ItemRef ref) {
        canvas_.setSelected(ref);
        for (const auto& s : canvas_.sections())
            if (ref == ItemRef::object(s.id)) ensureVisible(0, static_cast<int>(s.top), 0, 40);
    });
}

void HeatMapView::setFrame(const FramePtr& frame) {
    if (!isVisible()) {
        pending_ = frame;
        return;
    }
    pending_.reset();
    canvas_.setFrame(frame);
}

void HeatMapView::showEvent(QShowEvent* event) {
    QScrollArea::showEvent(event);
    if (pending_) canvas_.setFrame(std::exchange(pending_, nullptr));
}

} // namespace mpui
