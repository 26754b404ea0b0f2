#pragma once
// Qt Charts over time: queue depths, semaphore values and operation rates by kind, over a sliding window.
// Sampled on every frame; redrawn at most ten times a second, and only while visible.
#include "frame.hpp"
#include "rate_meter.hpp"
#include "selection.hpp"
#include "series_history.hpp"

#include <QElapsedTimer>
#include <QWidget>

#include <map>
#include <memory>
#include <unordered_map>

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace mpui {

class ChartsView : public QWidget {
    Q_OBJECT
public:
    explicit ChartsView(SelectionHub* selection, QWidget* parent = nullptr);
    ~ChartsView() override;

    void setFrame(const FramePtr& frame);
    void clear();
    // Seconds of history shown (default 60).
    void setSpan(double seconds) { span_ = seconds; }
    // Redraws now, whatever the rate limit (screenshots, tests).
    void redraw();

    // Names of the series each chart shows, for tests: queues, semaphores, rates.
    QStringList seriesNames(int chart) const;

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Chart;
    void retranslate();
    void sample(const FramePtr& frame);
    void draw(Chart& chart, const std::vector<std::pair<std::uint64_t, QString>>& wanted);

    SelectionHub* selection_;
    std::unique_ptr<Chart> charts_[3];
    SeriesHistory history_;
    FramePtr frame_;
    std::unordered_map<quint32, std::uint64_t> lastOps_;
    std::map<int, RateMeter> rates_;
    double lastTime_ = -1;
    double span_ = 60;
    QElapsedTimer sinceDraw_;
};

} // namespace mpui
