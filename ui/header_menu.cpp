#include "header_menu.hpp"

#include <QHeaderView>
#include <QMenu>

namespace mpui {

void addColumnMenu(QHeaderView* header) {
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(header, &QWidget::customContextMenuRequested, header, [header](const QPoint& pos) {
        QMenu menu(header);
        const QAbstractItemModel* model = header->model();
        int shown = 0;
        for (int c = 0; c < header->count(); ++c)
            shown += header->isSectionHidden(c) ? 0 : 1;
        for (int c = 0; c < header->count(); ++c) {
            QAction* a = menu.addAction(model->headerData(c, Qt::Horizontal).toString());
            a->setCheckable(true);
            a->setChecked(!header->isSectionHidden(c));
            a->setEnabled(header->isSectionHidden(c) || shown > 1); // never hide the last column
            QObject::connect(a, &QAction::toggled, header,
                             [header, c](bool on) { header->setSectionHidden(c, !on); });
        }
        menu.exec(header->mapToGlobal(pos));
    });
}

} // namespace mpui
