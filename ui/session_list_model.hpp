#pragma once
// The mpscope sessions found on this machine (/dev/shm/mpscope-*), live ones first, for attaching to.
#include <mp/scope/snapshot.hpp>

#include <QAbstractTableModel>

#include <vector>

namespace mpui {

class SessionListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Main, Processes, Age, Status, ColumnCount };
    enum Role { SessionNameRole = Qt::UserRole + 1, AliveRole };

    explicit SessionListModel(QObject* parent = nullptr);

    // Keyed by session name: rows are inserted, removed and changed, never reset.
    void setSessions(std::vector<mp::scope::SessionInfo> sessions);
    void retranslate();
    const mp::scope::SessionInfo* session(const QModelIndex& index) const;
    QModelIndex indexOf(const QString& name) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<mp::scope::SessionInfo> rows_;
};

} // namespace mpui
