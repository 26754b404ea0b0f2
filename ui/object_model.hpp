#pragma once
// Every shared object of a session that user code made (a queue's internal lock is left out) with its live
// state, one row per object in creation order. Updated from each frame by diffing, never reset.
#include "frame.hpp"

#include <QAbstractTableModel>

#include <unordered_map>
#include <vector>

namespace mpui {

class ObjectModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Kind, Level, State, Waiters, Operations, Creator, ColumnCount };
    enum Role {
        ObjectIdRole = Qt::UserRole + 1, // quint32 serial
        KindRole,                        // QString: "Lock", "Queue" ...
        LevelRole,                       // double 0..1: fill, value or waiting parties; -1: no level
        BacklogRole,                     // double 0..1: queued in feeder threads, beyond LevelRole
        DeadlockedRole,                  // bool
        SortRole,
    };

    explicit ObjectModel(QObject* parent = nullptr);

    void setFrame(const FramePtr& frame);
    void clear();
    void retranslate();

    QModelIndex indexOf(quint32 object, int column = 0) const;
    const mp::scope::ObjectInfo* object(const QModelIndex& index) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Gauge {
        double fill = -1, backlog = 0;
        QString text;
    };
    Gauge gauge(const mp::scope::ObjectInfo& o) const;

    std::vector<mp::scope::ObjectInfo> rows_; // by id
    std::unordered_map<quint32, int> rowOf_;
    std::unordered_map<quint32, std::int64_t> maxSeen_; // semaphores without a bound: their highest value
    std::vector<quint32> deadlocked_;
    FramePtr frame_;
};

} // namespace mpui
