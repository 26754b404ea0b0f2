#pragma once
// The two text panes: the console (what mpscope-run prints, stderr in red, the GUI's own notes in blue) and
// the lesson of the chosen scenario, in the interface language.
#include "catalogue.hpp"

#include <QPlainTextEdit>
#include <QTextBrowser>

#include <optional>

namespace mpui {

class ConsoleView : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ConsoleView(QWidget* parent = nullptr);
    void appendOutput(const QString& text, bool error);
    // A line of the inspector's own ("Started …", "Run ended with status 0").
    void appendNote(const QString& text);

private:
    void append(const QString& text, const QColor& colour, bool bold);
};

class LessonView : public QTextBrowser {
    Q_OBJECT
public:
    explicit LessonView(QWidget* parent = nullptr);
    void setScenario(const std::optional<ScenarioInfo>& scenario);

protected:
    void changeEvent(QEvent* event) override;

private:
    void render();
    std::optional<ScenarioInfo> scenario_;
};

} // namespace mpui
