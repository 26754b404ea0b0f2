#include "charts_view.hpp"

#include "style.hpp"
#include "time_scale.hpp"
#include "words.hpp"

#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGridLayout>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace mpui {

namespace {

constexpr int kMaxSeries = 8;
constexpr int kRedrawMs = 100;

// Series keys: the object id for queues and semaphores; for rates, a kind family.
enum Family { Locks = 1, Semaphores, Queues, SharedMemory, Signals, FamilyCount };
constexpr std::uint64_t kQueueKey = 1ull << 40, kSemaphoreKey = 2ull << 40, kRateKey = 3ull << 40;

Family familyOf(const std::string& kind) {
    if (isLockKind(kind)) return Locks;
    if (isSemaphoreKind(kind)) return Semaphores;
    if (isQueueKind(kind)) return Queues;
    if (isSharedMemoryKind(kind)) return SharedMemory;
    return Signals;
}

QString familyName(int family) {
    switch (family) {
    case Locks:
        return ChartsView::tr("locks");
    case Semaphores:
        return ChartsView::tr("semaphores");
    case Queues:
        return ChartsView::tr("queues");
    case SharedMemory:
        return ChartsView::tr("shared memory");
    default:
        return ChartsView::tr("events, conditions, barriers");
    }
}

} // namespace

struct ChartsView::Chart {
    QChartView view{std::make_unique<QChart>().release()}; // the view owns its chart from here on
    QChart* chart;
    QValueAxis* x;                                // owned by the chart
    QValueAxis* y;                                // owned by the chart
    std::map<std::uint64_t, QLineSeries*> series; // owned by the chart
    int colour = 0;

    Chart()
        : chart(view.chart())
        , x(adopt(*chart, std::make_unique<QValueAxis>(), Qt::AlignBottom))
        , y(adopt(*chart, std::make_unique<QValueAxis>(), Qt::AlignLeft)) {
        chart->setAnimationOptions(QChart::NoAnimation);
        chart->setMargins(QMargins(4, 4, 4, 4));
        chart->setBackgroundRoundness(0);
        chart->legend()->setAlignment(Qt::AlignBottom);
        QFont small = chart->legend()->font();
        small.setPointSizeF(8);
        chart->legend()->setFont(small);
        x->setLabelsFont(small);
        y->setLabelsFont(small);
        x->setTitleFont(small);
        x->setLabelFormat(QStringLiteral("%.0f"));
        y->setLabelFormat(QStringLiteral("%.0f"));
        x->setTickType(QValueAxis::TicksDynamic);
        y->setTickType(QValueAxis::TicksDynamic);
        view.setRenderHint(QPainter::Antialiasing);
        view.setMinimumSize(160, 140);
    }

    void removeSeries(QLineSeries* s) {
        chart->removeSeries(s); // gives it back
        std::unique_ptr<QLineSeries> owned(s);
    }

private:
    static QValueAxis* adopt(QChart& chart, std::unique_ptr<QValueAxis> axis, Qt::Alignment where) {
        chart.addAxis(axis.get(), where);
        return axis.release();
    }
};

ChartsView::ChartsView(SelectionHub* selection, QWidget* parent)
    : QWidget(parent)
    , selection_(selection)
    , history_(600) {
    setObjectName(QStringLiteral("chartsView"));
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    for (int i = 0; i < 3; ++i) {
        charts_[i] = std::make_unique<Chart>();
        layout->addWidget(&charts_[i]->view, 0, i);
    }
    connect(selection_, &SelectionHub::changed, this, [this] { redraw(); });
    sinceDraw_.start();
    retranslate();
}

ChartsView::~ChartsView() = default;

void ChartsView::clear() {
    history_.clear();
    lastOps_.clear();
    rates_.clear();
    lastTime_ = -1;
    frame_.reset();
    for (auto& c : charts_) {
        for (auto& [key, s] : c->series)
            c->removeSeries(s);
        c->series.clear();
    }
}

void ChartsView::sample(const FramePtr& frame) {
    const auto& snap = frame->snapshot;
    const double t = snap.time;
    if (t <= lastTime_) return;
    double delta[FamilyCount] = {};
    for (const auto& o : snap.objects) {
        if (o.internal) continue;
        if (isQueueKind(o.kind)) history_.add(kQueueKey | o.id, t, o.items);
        if (isSemaphoreKind(o.kind)) history_.add(kSemaphoreKey | o.id, t, static_cast<double>(o.value));
        auto [it, fresh] = lastOps_.emplace(o.id, o.ops);
        if (!fresh) {
            delta[familyOf(o.kind)] += static_cast<double>(o.ops - std::min(o.ops, it->second));
            it->second = o.ops;
        }
    }
    if (lastTime_ >= 0)
        for (int f = Locks; f < FamilyCount; ++f) {
            RateMeter& meter = rates_.try_emplace(f, 1.0).first->second;
            meter.add(t, delta[f]);
            history_.add(kRateKey | static_cast<std::uint64_t>(f), t, meter.rate(t));
        }
    lastTime_ = t;
    history_.trim(t);
}

void ChartsView::setFrame(const FramePtr& frame) {
    sample(frame);
    frame_ = frame;
    if (isVisible() && sinceDraw_.elapsed() >= kRedrawMs) redraw();
}

void ChartsView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    redraw();
}

void ChartsView::redraw() {
    sinceDraw_.restart();
    if (!frame_) return;
    const auto& snap = frame_->snapshot;
    const ItemRef selected = selection_->current();
    // Which series each chart shows: the selected object first, then by creation, at most kMaxSeries.
    std::vector<std::pair<std::uint64_t, QString>> queues, semaphores, rates;
    auto pick = [&](std::vector<std::pair<std::uint64_t, QString>>& out, std::uint64_t tag, auto wanted) {
        for (const auto& o : snap.objects)
            if (!o.internal && wanted(o.kind) && selected == ItemRef::object(o.id))
                out.emplace_back(tag | o.id, QString::fromStdString(o.name));
        for (const auto& o : snap.objects) {
            if (static_cast<int>(out.size()) >= kMaxSeries) break;
            if (!o.internal && wanted(o.kind) && selected != ItemRef::object(o.id))
                out.emplace_back(tag | o.id, QString::fromStdString(o.name));
        }
    };
    pick(queues, kQueueKey, isQueueKind);
    pick(semaphores, kSemaphoreKey, isSemaphoreKind);
    for (int f = Locks; f < FamilyCount; ++f)
        if (history_.samples(kRateKey | static_cast<std::uint64_t>(f)))
            rates.emplace_back(kRateKey | static_cast<std::uint64_t>(f), familyName(f));
    draw(*charts_[0], queues);
    draw(*charts_[1], semaphores);
    draw(*charts_[2], rates);
}

void ChartsView::draw(Chart& c, const std::vector<std::pair<std::uint64_t, QString>>& wanted) {
    const double now = frame_->snapshot.time;
    const TimeScale scale = TimeScale::window(now, span_, 0, std::max(100, c.view.width() - 80));
    for (auto it = c.series.begin(); it != c.series.end();) {
        const bool keep =
            std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == it->first; });
        if (keep) {
            ++it;
            continue;
        }
        c.removeSeries(it->second);
        it = c.series.erase(it);
    }
    const ItemRef selected = selection_->current();
    double top = 1;
    for (const auto& [key, name] : wanted) {
        QLineSeries*& s = c.series[key];
        if (!s) {
            auto series = std::make_unique<QLineSeries>();
            s = series.release(); // owned by the chart from addSeries on
            c.chart->addSeries(s);
            s->attachAxis(c.x);
            s->attachAxis(c.y);
            QPen pen(processColour(static_cast<quint32>(c.colour++)));
            pen.setWidthF(1.8);
            s->setPen(pen);
        }
        s->setName(name);
        QPen pen = s->pen();
        pen.setWidthF(selected == ItemRef::object(static_cast<quint32>(key & 0xffffffffu)) && key < kRateKey
                          ? 3.2
                          : 1.8);
        s->setPen(pen);
        QList<QPointF> points;
        if (const auto* samples = history_.samples(key)) {
            // At most about two points per pixel column: the first and the extreme of each, so spikes stay.
            const double bin = (scale.t1 - scale.t0) / std::max(1.0, scale.x1 - scale.x0);
            double binEnd = -1e300;
            for (const auto& [t, v] : *samples) {
                if (t < scale.t0 - 1) continue;
                if (t >= binEnd || points.size() < 2) {
                    points.append(QPointF(t, v));
                    binEnd = t + bin;
                } else if (std::abs(v - points[points.size() - 2].y()) >
                           std::abs(points.back().y() - points[points.size() - 2].y())) {
                    points.back() = QPointF(t, v);
                }
            }
            if (!samples->empty() && (points.isEmpty() || points.back().x() != samples->back().first))
                points.append(QPointF(samples->back().first, samples->back().second));
            top = std::max(top, history_.maxSince(key, scale.t0));
        }
        s->replace(points);
    }
    c.x->setRange(scale.t0, scale.t1);
    c.x->setTickAnchor(0);
    c.x->setTickInterval(scale.tickStep(70));
    const double step = niceStep(top * 1.1 / 4);
    c.y->setRange(0, std::ceil(top * 1.1 / step) * step);
    c.y->setTickAnchor(0);
    c.y->setTickInterval(step);
    c.y->setLabelFormat(step < 1 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
}

QStringList ChartsView::seriesNames(int chart) const {
    QStringList out;
    for (const auto& [key, s] : charts_[chart]->series)
        out << s->name();
    return out;
}

void ChartsView::retranslate() {
    charts_[0]->chart->setTitle(tr("Queue depth (items)"));
    charts_[1]->chart->setTitle(tr("Semaphore values"));
    charts_[2]->chart->setTitle(tr("Operations per second"));
    for (auto& c : charts_)
        c->x->setTitleText(tr("seconds since the session started"));
    if (frame_) redraw();
}

void ChartsView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace mpui
