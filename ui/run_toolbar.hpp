#pragma once
// The toolbar that starts runs: scenario (its lesson goes to the lesson pane), start method, the scenario's
// parameters, tempo, Run and Stop, and step mode.
#include "catalogue.hpp"
#include "run_controller.hpp"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolBar>

#include <memory>
#include <vector>

namespace mpui {

class RunToolbar : public QToolBar {
    Q_OBJECT
public:
    explicit RunToolbar(QWidget* parent = nullptr);
    ~RunToolbar() override;

    void setCatalogue(const Catalogue& catalogue);
    // Selects a scenario (and its default parameters); false when the catalogue has none of that name.
    bool selectScenario(const QString& name);
    void selectMethod(const QString& method);
    // Shows a run's scenario, method, parameters and tempo (once the catalogue knows the scenario).
    void showRequest(const RunRequest& request);
    QString scenario() const;
    std::optional<ScenarioInfo> scenarioInfo() const;
    // What Run would start now.
    RunRequest request() const;
    void setRunning(bool running);

    QAction* runAction() { return &run_; }
    QAction* stopAction() { return &stop_; }
    QAction* stepAction() { return &step_; }

signals:
    void runRequested(const mpui::RunRequest& request);
    void stopRequested();
    void scenarioChanged(const QString& name);
    void stepModeToggled(bool on);

protected:
    void changeEvent(QEvent* event) override;

private:
    struct ParamEditor;
    void retranslate();
    void rebuildParams();
    void fillScenarios();

    std::optional<Catalogue> catalogue_;
    QLabel scenarioLabel_, methodLabel_, tempoLabel_;
    QComboBox scenario_, method_;
    QWidget params_;
    QHBoxLayout paramsLayout_;
    QDoubleSpinBox tempo_;
    QAction run_, stop_, step_;
    std::vector<std::unique_ptr<ParamEditor>> editors_; // after params_: destroyed before it
};

} // namespace mpui

Q_DECLARE_METATYPE(mpui::RunRequest)
