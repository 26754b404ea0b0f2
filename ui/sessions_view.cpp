#include "sessions_view.hpp"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QVBoxLayout>

namespace mpui {

SessionsView::SessionsView(SessionListModel* model, QWidget* parent)
    : QWidget(parent)
    , model_(model) {
    setObjectName(QStringLiteral("sessionsView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(&table_);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 2);
    bar->addWidget(&showEnded_);
    bar->addStretch(1);
    bar->addWidget(&attach_);
    layout->addLayout(bar);

    proxy_.setSourceModel(model);
    table_.setModel(&proxy_);
    table_.setSelectionBehavior(QAbstractItemView::SelectRows);
    table_.setSelectionMode(QAbstractItemView::SingleSelection);
    table_.verticalHeader()->hide();
    table_.horizontalHeader()->setSectionResizeMode(SessionListModel::Name, QHeaderView::Stretch);
    table_.setColumnWidth(SessionListModel::Main, 120);
    connect(&table_, &QTableView::doubleClicked, this, &SessionsView::attachSelected);
    connect(&attach_, &QPushButton::clicked, this, &SessionsView::attachSelected);
    connect(&showEnded_, &QCheckBox::toggled, this, [this](bool on) {
        // Live sessions only: AliveRole reads "true" for them.
        proxy_.setFilterRole(on ? int(Qt::DisplayRole) : int(SessionListModel::AliveRole));
        proxy_.setFilterFixedString(on ? QString() : QStringLiteral("true"));
    });
    proxy_.setFilterKeyColumn(SessionListModel::Name);
    proxy_.setFilterRole(SessionListModel::AliveRole);
    proxy_.setFilterFixedString(QStringLiteral("true"));
    retranslate();
}

void SessionsView::attachSelected() {
    const QModelIndex index = table_.currentIndex();
    if (index.isValid()) emit attachRequested(index.data(SessionListModel::SessionNameRole).toString());
}

void SessionsView::setCurrent(const QString& session) {
    const QModelIndex index = proxy_.mapFromSource(model_->indexOf(session));
    if (index.isValid()) table_.selectRow(index.row());
}

void SessionsView::retranslate() {
    showEnded_.setText(tr("Show ended sessions"));
    attach_.setText(tr("Attach"));
    attach_.setToolTip(tr("Show the selected session in the inspector"));
}

void SessionsView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace mpui
