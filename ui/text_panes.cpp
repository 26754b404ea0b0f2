#include "text_panes.hpp"

#include "language.hpp"

#include <QEvent>
#include <QFontDatabase>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>

namespace mpui {

ConsoleView::ConsoleView(QWidget* parent)
    : QPlainTextEdit(parent) {
    setObjectName(QStringLiteral("consoleView"));
    setReadOnly(true);
    setMaximumBlockCount(10000);
    setLineWrapMode(NoWrap);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(9);
    setFont(mono);
}

void ConsoleView::append(const QString& text, const QColor& colour, bool bold) {
    QString chunk = text;
    if (chunk.endsWith(QLatin1Char('\n'))) chunk.chop(1);
    if (chunk.isEmpty() && text.isEmpty()) return;
    QScrollBar* bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 4;
    QTextCharFormat format;
    format.setForeground(colour);
    format.setFontWeight(bold ? QFont::Bold : QFont::Normal);
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    for (const QString& line : chunk.split(QLatin1Char('\n'))) {
        if (!document()->isEmpty()) cursor.insertBlock();
        cursor.insertText(line, format);
    }
    if (atBottom) bar->setValue(bar->maximum());
}

void ConsoleView::appendOutput(const QString& text, bool error) {
    append(text, error ? QColor(0xb9, 0x1c, 0x1c) : palette().color(QPalette::Text), false);
}

void ConsoleView::appendNote(const QString& text) {
    append(text, QColor(0x1d, 0x4e, 0xd8), true);
}

LessonView::LessonView(QWidget* parent)
    : QTextBrowser(parent) {
    setObjectName(QStringLiteral("lessonView"));
    setOpenExternalLinks(true);
    render();
}

void LessonView::setScenario(const std::optional<ScenarioInfo>& scenario) {
    scenario_ = scenario;
    render();
}

void LessonView::render() {
    if (!scenario_) {
        setHtml(QStringLiteral("<p style='color:#6b7280'>%1</p>")
                    .arg(tr("Choose a scenario in the toolbar to read what it shows and what to watch for.")
                             .toHtmlEscaped()));
        return;
    }
    const QString lang = currentLanguage();
    QString html = QStringLiteral("<h3 style='margin-bottom:4px'>%1</h3>")
                       .arg(scenario_->title.text(lang).toHtmlEscaped());
    html += QStringLiteral("<p style='color:#6b7280; margin-top:0'><code>%1</code></p>")
                .arg(scenario_->name.toHtmlEscaped());
    for (const QString& paragraph :
         scenario_->lesson.text(lang).split(QStringLiteral("\n\n"), Qt::SkipEmptyParts))
        html += QStringLiteral("<p>%1</p>")
                    .arg(paragraph.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    if (!scenario_->params.isEmpty()) {
        html += QStringLiteral("<p><b>%1</b></p><ul>").arg(tr("Parameters").toHtmlEscaped());
        for (const ScenarioParam& p : scenario_->params)
            html += QStringLiteral("<li><code>%1</code> — %2</li>")
                        .arg(p.name.toHtmlEscaped(), p.description.text(lang).toHtmlEscaped());
        html += QStringLiteral("</ul>");
    }
    setHtml(html);
}

void LessonView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) render();
    QTextBrowser::changeEvent(event);
}

} // namespace mpui
