#pragma once
// Shared memory as heat maps: one grid per shared Value and Array, each cell coloured by its value (exact
// value on hover), cells written in the last seconds outlined in the colour of the process that wrote them.
#include "frame.hpp"
#include "heat_map_math.hpp"
#include "selection.hpp"

#include <QScrollArea>
#include <QWidget>

#include <vector>

namespace mpui {

class HeatMapCanvas : public QWidget {
    Q_OBJECT
public:
    explicit HeatMapCanvas(SelectionHub* selection, QWidget* parent = nullptr);
    void setFrame(const FramePtr& frame);
    void setSelected(ItemRef ref);
    // Cells written within this many seconds are outlined (default 2).
    static constexpr double kWriteFade = 2.0;

    struct Section {
        quint32 id = 0;
        QString name;
        QString header;
        std::vector<double> values;
        bool scalar = false; // a Value: its cells are named by the name alone
        QStringList fields;  // struct fields ("x", "y"), empty for plain values
        ColourScale scale;
        HeatGrid grid;
        double top = 0;     // y of the section's header
        double gridTop = 0; // y of its first row of cells
        struct Mark {
            int index;
            quint32 process;
            double age;
        };
        std::vector<Mark> writes; // newest per cell
    };
    const std::vector<Section>& sections() const { return sections_; }
    // "x[3]", "points[2].y", "v".
    QString cellName(std::size_t section, int index) const;
    // The text of a cell's tooltip: "x[3] = 42 — written by Process-2 0.4 s ago".
    QString cellText(std::size_t section, int index) const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    void relayout();
    std::pair<int, int> hit(const QPoint& pos) const; // section, cell (or -1)

    SelectionHub* selection_;
    FramePtr frame_;
    std::vector<Section> sections_;
    ItemRef selected_;
    int height_ = 0;
};

class HeatMapView : public QScrollArea {
    Q_OBJECT
public:
    explicit HeatMapView(SelectionHub* selection, QWidget* parent = nullptr);
    void setFrame(const FramePtr& frame);
    HeatMapCanvas* canvas() { return &canvas_; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    HeatMapCanvas canvas_;
    FramePtr pending_; // the newest frame while hidden: painted when shown
};

} // namespace mpui
