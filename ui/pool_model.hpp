#pragma once
// The workers of every process Pool of a session: one row per worker slot, with its pid, state, tasks done,
// the task it runs and how its time went (start-up, waiting, working). Updated by diffing, never reset.
#include "frame.hpp"

#include <QAbstractTableModel>

#include <vector>

namespace mpui {

class PoolModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Pool, Worker, Pid, State, TasksDone, Task, Times, ColumnCount };
    enum Role {
        ProcessIdRole = Qt::UserRole + 1, // the worker's process serial (0 while it starts)
        PoolIdRole,
        StartupRole, // seconds
        WaitingRole,
        WorkingRole,
        LongestRole, // the longest start-up + waiting + working of any row: the bars' common scale
    };

    explicit PoolModel(QObject* parent = nullptr);
    void setFrame(const FramePtr& frame);
    void clear();
    void retranslate();
    // "Pool-1: RUN, 4 workers, 3 queued, 12 completed, 0 lost, 1 outstanding" for every pool.
    QStringList summaries() const;
    QModelIndex indexOfProcess(quint32 process) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        quint32 pool = 0;
        int slot = 0;
        QString poolName;
        mp::scope::PoolWorkerInfo worker;
    };
    std::vector<Row> rows_;
    double longest_ = 0;
    FramePtr frame_;
};

} // namespace mpui
