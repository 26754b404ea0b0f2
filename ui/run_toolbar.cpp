#include "run_toolbar.hpp"

#include "language.hpp"

#include <QEvent>
#include <QSignalBlocker>
#include <QSpinBox>

namespace mpui {

struct RunToolbar::ParamEditor {
    ScenarioParam param;
    QLabel label;
    std::unique_ptr<QAbstractSpinBox> box;

    double value() const {
        if (auto* i = dynamic_cast<QSpinBox*>(box.get())) return i->value();
        return static_cast<QDoubleSpinBox*>(box.get())->value();
    }
};

RunToolbar::RunToolbar(QWidget* parent)
    : QToolBar(parent)
    , paramsLayout_(&params_)
    , run_(QIcon(QStringLiteral(":/icons/actions/run.svg")), QString(), this)
    , stop_(QIcon(QStringLiteral(":/icons/actions/stop.svg")), QString(), this)
    , step_(QIcon(QStringLiteral(":/icons/actions/step.svg")), QString(), this) {
    setObjectName(QStringLiteral("runToolbar"));
    setMovable(false);
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    setIconSize(QSize(18, 18));
    scenario_.setObjectName(QStringLiteral("scenarioCombo"));
    scenario_.setMinimumContentsLength(24);
    scenario_.setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    method_.setObjectName(QStringLiteral("methodCombo"));
    method_.setMinimumContentsLength(10); // "forkserver"
    method_.setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    paramsLayout_.setContentsMargins(6, 0, 6, 0);
    paramsLayout_.setSpacing(4);
    tempo_.setObjectName(QStringLiteral("tempoSpin"));
    tempo_.setRange(0.01, 1000);
    tempo_.setDecimals(2);
    tempo_.setValue(1);
    tempo_.setSingleStep(0.25);
    tempo_.setSuffix(QStringLiteral(" ×"));
    run_.setObjectName(QStringLiteral("runAction"));
    run_.setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    stop_.setObjectName(QStringLiteral("stopAction"));
    stop_.setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    stop_.setEnabled(false);
    step_.setObjectName(QStringLiteral("stepAction"));
    step_.setCheckable(true);

    addWidget(&scenarioLabel_);
    addWidget(&scenario_);
    addSeparator();
    addWidget(&methodLabel_);
    addWidget(&method_);
    addWidget(&params_);
    addWidget(&tempoLabel_);
    addWidget(&tempo_);
    addSeparator();
    addAction(&run_);
    addAction(&stop_);
    addSeparator();
    addAction(&step_);

    connect(&scenario_, &QComboBox::currentIndexChanged, this, [this] {
        rebuildParams();
        emit scenarioChanged(scenario());
    });
    connect(&run_, &QAction::triggered, this, [this] {
        if (!scenario().isEmpty()) emit runRequested(request());
    });
    connect(&stop_, &QAction::triggered, this, &RunToolbar::stopRequested);
    connect(&step_, &QAction::toggled, this, &RunToolbar::stepModeToggled);
    retranslate();
}

RunToolbar::~RunToolbar() = default;

void RunToolbar::setCatalogue(const Catalogue& catalogue) {
    const QString current = scenario();
    catalogue_ = catalogue;
    tempo_.setRange(catalogue.tempoMin, catalogue.tempoMax);
    tempo_.setValue(catalogue.tempoDefault);
    fillScenarios();
    if (!selectScenario(current)) selectScenario(QStringLiteral("dining_philosophers"));
}

void RunToolbar::fillScenarios() {
    const QString current = scenario();
    const QSignalBlocker block(scenario_);
    scenario_.clear();
    if (!catalogue_) return;
    const QString lang = currentLanguage();
    for (const ScenarioInfo& s : catalogue_->scenarios)
        scenario_.addItem(s.title.text(lang), s.name);
    scenario_.setCurrentIndex(std::max(0, scenario_.findData(current)));
}

bool RunToolbar::selectScenario(const QString& name) {
    const int index = scenario_.findData(name);
    if (index < 0) return false;
    if (index == scenario_.currentIndex())
        rebuildParams();
    else
        scenario_.setCurrentIndex(index); // rebuilds the parameters
    return true;
}

void RunToolbar::selectMethod(const QString& method) {
    const int index = method_.findText(method);
    if (index >= 0) method_.setCurrentIndex(index);
}

void RunToolbar::showRequest(const RunRequest& request) {
    if (!selectScenario(request.scenario)) return;
    selectMethod(request.method);
    tempo_.setValue(request.tempo);
    for (const auto& [name, value] : request.params)
        for (const auto& e : editors_)
            if (e->param.name == name) {
                if (auto* i = dynamic_cast<QSpinBox*>(e->box.get()))
                    i->setValue(static_cast<int>(value));
                else
                    static_cast<QDoubleSpinBox*>(e->box.get())->setValue(value);
            }
}

QString RunToolbar::scenario() const {
    return scenario_.currentData().toString();
}

std::optional<ScenarioInfo> RunToolbar::scenarioInfo() const {
    if (!catalogue_) return std::nullopt;
    const ScenarioInfo* s = catalogue_->find(scenario());
    return s ? std::optional<ScenarioInfo>(*s) : std::nullopt;
}

void RunToolbar::rebuildParams() {
    editors_.clear();
    const auto info = scenarioInfo();
    const QString method = method_.currentText();
    method_.clear();
    if (!info) return;
    method_.addItems(info->methods);
    method_.setCurrentIndex(std::max(0, method_.findText(method)));
    const QString lang = currentLanguage();
    for (const ScenarioParam& p : info->params) {
        auto editor = std::make_unique<ParamEditor>();
        editor->param = p;
        // The parameter's name as --param takes it, in every language; its description is the tool tip.
        editor->label.setText(p.name + QLatin1Char(':'));
        editor->label.setObjectName(QStringLiteral("paramLabel_") + p.name);
        if (p.integer) {
            auto box = std::make_unique<QSpinBox>();
            box->setRange(static_cast<int>(p.min), static_cast<int>(p.max));
            box->setValue(static_cast<int>(p.defaultValue));
            editor->box = std::move(box);
        } else {
            auto box = std::make_unique<QDoubleSpinBox>();
            box->setRange(p.min, p.max);
            box->setDecimals(2);
            box->setValue(p.defaultValue);
            editor->box = std::move(box);
        }
        editor->box->setObjectName(QStringLiteral("param_") + p.name);
        const QString tip = p.description.text(lang);
        editor->label.setToolTip(tip);
        editor->box->setToolTip(tip);
        paramsLayout_.addWidget(&editor->label);
        paramsLayout_.addWidget(editor->box.get());
        editors_.push_back(std::move(editor));
    }
    params_.adjustSize();
}

RunRequest RunToolbar::request() const {
    RunRequest r;
    r.scenario = scenario();
    r.method = method_.currentText();
    r.tempo = tempo_.value();
    for (const auto& e : editors_)
        r.params.append({e->param.name, e->value()});
    return r;
}

void RunToolbar::setRunning(bool running) {
    stop_.setEnabled(running);
}

void RunToolbar::retranslate() {
    scenarioLabel_.setText(tr("Scenario:"));
    methodLabel_.setText(tr("Start method:"));
    tempoLabel_.setText(tr("Tempo:"));
    tempo_.setToolTip(
        tr("How fast the scenario's pauses go: 0.25 is four times slower, 4 four times faster"));
    run_.setText(tr("Run"));
    run_.setToolTip(tr("Run the scenario in mpscope-run and watch it (Ctrl+R)"));
    stop_.setText(tr("Stop"));
    stop_.setToolTip(tr("End the run and every process of it (Ctrl+.)"));
    step_.setText(tr("Step mode"));
    step_.setToolTip(
        tr("Hold every process before each operation; let them go one at a time from the process menu"));
    scenario_.setToolTip(tr("The program to run: its lesson is in the Lesson pane"));
    method_.setToolTip(tr("How child processes start: fork, spawn or forkserver"));
    fillScenarios();
    const QString lang = currentLanguage();
    for (const auto& e : editors_) {
        e->label.setToolTip(e->param.description.text(lang));
        e->box->setToolTip(e->param.description.text(lang));
    }
}

void RunToolbar::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QToolBar::changeEvent(event);
}

} // namespace mpui
