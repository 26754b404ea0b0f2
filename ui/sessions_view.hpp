#pragma once
// The sessions found on this machine, to attach to: a double-click or the Attach button.
#include "session_list_model.hpp"

#include <QCheckBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QWidget>

namespace mpui {

class SessionsView : public QWidget {
    Q_OBJECT
public:
    SessionsView(SessionListModel* model, QWidget* parent = nullptr);
    // Highlights the session the inspector shows.
    void setCurrent(const QString& session);

signals:
    void attachRequested(const QString& session);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void attachSelected();

    SessionListModel* model_;
    QSortFilterProxyModel proxy_;
    QTableView table_;
    QCheckBox showEnded_;
    QPushButton attach_;
};

} // namespace mpui
