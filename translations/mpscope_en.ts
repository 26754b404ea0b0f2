<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>Words</name>
    <message>
        <source>process #%1</source>
        <translation>process #%1</translation>
    </message>
    <message>
        <source>object #%1</source>
        <translation>object #%1</translation>
    </message>
    <message>
        <source>struct (%1)</source>
        <translation>struct (%1)</translation>
    </message>
    <message>
        <source>set</source>
        <translation>set</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>not set</translation>
    </message>
    <message>
        <source>target: %1</source>
        <translation>target: %1</translation>
    </message>
    <message>
        <source>deadlocked</source>
        <translation>deadlocked</translation>
    </message>
    <message>
        <source>joins %1</source>
        <translation>joins %1</translation>
    </message>
    <message>
        <source>holds %1</source>
        <translation>holds %1</translation>
    </message>
    <message>
        <source>%1 (pid %2)</source>
        <translation>%1 (pid %2)</translation>
    </message>
    <message>
        <source> and </source>
        <comment>between the last two things one process does</comment>
        <translation> and </translation>
    </message>
    <message>
        <source>, </source>
        <comment>between things one process does</comment>
        <translation>, </translation>
    </message>
    <message>
        <source>%1 %2</source>
        <comment>a process and what it does</comment>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>, which %2</source>
        <comment>%1 is the process, which English leaves out</comment>
        <translation>, which %2</translation>
    </message>
    <message>
        <source>, held by %1</source>
        <translation>, held by %1</translation>
    </message>
    <message>
        <source>.</source>
        <comment>end of a sentence</comment>
        <translation>.</translation>
    </message>
    <message>
        <source>; </source>
        <comment>between clauses</comment>
        <translation>; </translation>
    </message>
    <message>
        <source>process #%1 (gone)</source>
        <translation>process #%1 (gone)</translation>
    </message>
    <message>
        <source>%1 (pid %2, %3)</source>
        <translation>%1 (pid %2, %3)</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>starting</translation>
    </message>
    <message>
        <source>running</source>
        <translation>running</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>blocked</translation>
    </message>
    <message>
        <source>parked</source>
        <translation>parked</translation>
    </message>
    <message>
        <source>exited</source>
        <translation>exited</translation>
    </message>
    <message>
        <source>died</source>
        <translation>died</translation>
    </message>
    <message>
        <source>killed</source>
        <translation>killed</translation>
    </message>
    <message>
        <source>killed by %1</source>
        <translation>killed by %1</translation>
    </message>
    <message>
        <source>vanished</source>
        <translation>vanished</translation>
    </message>
    <message>
        <source>join %1</source>
        <translation>join %1</translation>
    </message>
    <message>
        <source>parked before %1</source>
        <translation>parked before %1</translation>
    </message>
    <message>
        <source>%1 (+%2 threads)</source>
        <translation>%1 (+%2 threads)</translation>
    </message>
    <message>
        <source>waits for %1</source>
        <translation>waits for %1</translation>
    </message>
    <message>
        <source>waits to acquire %1</source>
        <translation>waits to acquire %1</translation>
    </message>
    <message>
        <source>waits on condition %1</source>
        <translation>waits on condition %1</translation>
    </message>
    <message>
        <source>waits for event %1</source>
        <translation>waits for event %1</translation>
    </message>
    <message>
        <source>waits at barrier %1</source>
        <translation>waits at barrier %1</translation>
    </message>
    <message>
        <source>waits to get from %1</source>
        <translation>waits to get from %1</translation>
    </message>
    <message>
        <source>waits to put on %1</source>
        <translation>waits to put on %1</translation>
    </message>
    <message>
        <source>waits for its feeder to flush %1</source>
        <translation>waits for its feeder to flush %1</translation>
    </message>
    <message>
        <source>waits for the tasks of %1 to be done</source>
        <translation>waits for the tasks of %1 to be done</translation>
    </message>
    <message>
        <source>waits in %1 on %2</source>
        <translation>waits in %1 on %2</translation>
    </message>
    <message>
        <source>%1 (%2, held by %3)</source>
        <translation>%1 (%2, held by %3)</translation>
    </message>
    <message>
        <source>%1 (%2, free)</source>
        <translation>%1 (%2, free)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 for %2</source>
        <translation>%1 for %2</translation>
    </message>
    <message>
        <source>%1, timeout in %2</source>
        <translation>%1, timeout in %2</translation>
    </message>
    <message>
        <source>is starting</source>
        <translation>is starting</translation>
    </message>
    <message>
        <source>is running</source>
        <translation>is running</translation>
    </message>
    <message>
        <source>exited with code %1</source>
        <translation>exited with code %1</translation>
    </message>
    <message>
        <source>was killed by signal %1 (%2)</source>
        <translation>was killed by signal %1 (%2)</translation>
    </message>
    <message>
        <source>was killed by signal %1</source>
        <translation>was killed by signal %1</translation>
    </message>
    <message>
        <source>vanished without a recorded exit</source>
        <translation>vanished without a recorded exit</translation>
    </message>
    <message>
        <source>held by %1</source>
        <translation>held by %1</translation>
    </message>
    <message>
        <source>%1 (thread %2)</source>
        <translation>%1 (thread %2)</translation>
    </message>
    <message>
        <source>%1, depth %2</source>
        <translation>%1, depth %2</translation>
    </message>
    <message>
        <source>free</source>
        <translation>free</translation>
    </message>
    <message>
        <source>value %1 of %2</source>
        <translation>value %1 of %2</translation>
    </message>
    <message>
        <source>value %1</source>
        <translation>value %1</translation>
    </message>
    <message>
        <source>%1 and others</source>
        <translation>%1 and others</translation>
    </message>
    <message>
        <source>units held by %1</source>
        <translation>units held by %1</translation>
    </message>
    <message>
        <source>lock %1</source>
        <translation>lock %1</translation>
    </message>
    <message>
        <source>%1 sleeping</source>
        <translation>%1 sleeping</translation>
    </message>
    <message>
        <source>%1 of %2 parties waiting</source>
        <translation>%1 of %2 parties waiting</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>draining</translation>
    </message>
    <message>
        <source>resetting</source>
        <translation>resetting</translation>
    </message>
    <message>
        <source>broken</source>
        <translation>broken</translation>
    </message>
    <message>
        <source>%1, %2 parties</source>
        <translation>%1, %2 parties</translation>
    </message>
    <message>
        <source>generation %1</source>
        <translation>generation %1</translation>
    </message>
    <message>
        <source>no lock</source>
        <translation>no lock</translation>
    </message>
    <message>
        <source>%1, %2 of %3</source>
        <translation>%1, %2 of %3</translation>
    </message>
    <message>
        <source>%1 item</source>
        <translation>%1 item</translation>
    </message>
    <message>
        <source>%1 items</source>
        <translation>%1 items</translation>
    </message>
    <message>
        <source>maxsize %1</source>
        <translation>maxsize %1</translation>
    </message>
    <message>
        <source>%1 unfinished task</source>
        <translation>%1 unfinished task</translation>
    </message>
    <message>
        <source>%1 unfinished tasks</source>
        <translation>%1 unfinished tasks</translation>
    </message>
    <message>
        <source>%1: %2 (%3)</source>
        <translation>%1: %2 (%3)</translation>
    </message>
    <message>
        <source>%1, waiting for room</source>
        <translation>%1, waiting for room</translation>
    </message>
    <message>
        <source>feeder backlog: %1</source>
        <translation>feeder backlog: %1</translation>
    </message>
    <message>
        <source>%1 waiter</source>
        <translation>%1 waiter</translation>
    </message>
    <message>
        <source>%1 waiters</source>
        <translation>%1 waiters</translation>
    </message>
    <message>
        <source>recovered from %1 (pid %2), which died holding it</source>
        <translation>recovered from %1 (pid %2), which died holding it</translation>
    </message>
    <message>
        <source>held, depth %1</source>
        <translation>held, depth %1</translation>
    </message>
    <message>
        <source>held</source>
        <translation>held</translation>
    </message>
    <message>
        <source>Lock cycle</source>
        <translation>Lock cycle</translation>
    </message>
    <message>
        <source>Lock held by a dead process</source>
        <translation>Lock held by a dead process</translation>
    </message>
    <message>
        <source>Join of a stuck process</source>
        <translation>Join of a stuck process</translation>
    </message>
    <message>
        <source>Lock held by a stuck process</source>
        <translation>Lock held by a stuck process</translation>
    </message>
    <message>
        <source>Unsatisfiable wait</source>
        <translation>Unsatisfiable wait</translation>
    </message>
    <message>
        <source>Join before draining a queue</source>
        <translation>Join before draining a queue</translation>
    </message>
    <message>
        <source>Lock recovered from a dead holder</source>
        <translation>Lock recovered from a dead holder</translation>
    </message>
    <message>
        <source>Queue cycle</source>
        <translation>Queue cycle</translation>
    </message>
    <message>
        <source>%1 %2, which it already holds (a %3 is not re-entrant).</source>
        <translation>%1 %2, which it already holds (a %3 is not re-entrant).</translation>
    </message>
    <message>
        <source>%1 waits for %2</source>
        <translation>%1 waits for %2</translation>
    </message>
    <message>
        <source>%1 wait for %2</source>
        <translation>%1 wait for %2</translation>
    </message>
    <message>
        <source>, whose holder is gone.</source>
        <translation>, whose holder is gone.</translation>
    </message>
    <message>
        <source>, held by %1, which %2.</source>
        <translation>, held by %1, which %2.</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 waits on it, and nobody else uses it.</source>
        <translation>%1 (%2) can never be satisfied: %3 waits on it, and nobody else uses it.</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 wait on it, and nobody else uses it.</source>
        <translation>%1 (%2) can never be satisfied: %3 wait on it, and nobody else uses it.</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 waits on it, and every other process that could help is blocked or gone: %4.</source>
        <translation>%1 (%2) can never be satisfied: %3 waits on it, and every other process that could help is blocked or gone: %4.</translation>
    </message>
    <message>
        <source>%1 (%2) can never be satisfied: %3 wait on it, and every other process that could help is blocked or gone: %4.</source>
        <translation>%1 (%2) can never be satisfied: %3 wait on it, and every other process that could help is blocked or gone: %4.</translation>
    </message>
    <message>
        <source>%1 died holding %2; the next acquirer recovered it</source>
        <translation>%1 died holding %2; the next acquirer recovered it</translation>
    </message>
    <message>
        <source>, and it is now held by %1</source>
        <translation>, and it is now held by %1</translation>
    </message>
    <message>
        <source> and </source>
        <comment>before the last name of a list</comment>
        <translation> and </translation>
    </message>
    <message>
        <source>, </source>
        <comment>between names of a list</comment>
        <translation>, </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>which only %1 puts on</source>
        <translation>which only %1 puts on</translation>
    </message>
    <message>
        <source>which only %1 put on</source>
        <translation>which only %1 put on</translation>
    </message>
    <message>
        <source>which only %1 reads</source>
        <translation>which only %1 reads</translation>
    </message>
    <message>
        <source>which only %1 read</source>
        <translation>which only %1 read</translation>
    </message>
    <message>
        <source>waits for its feeder to flush %1 bytes into %2</source>
        <translation>waits for its feeder to flush %1 bytes into %2</translation>
    </message>
    <message>
        <source>cannot exit until its feeder flushes %1 bytes into %2</source>
        <translation>cannot exit until its feeder flushes %1 bytes into %2</translation>
    </message>
    <message>
        <source>cannot exit until its feeder flushes what it put into %1</source>
        <translation>cannot exit until its feeder flushes what it put into %1</translation>
    </message>
    <message>
        <source>%1 joins %2, which %3, %4</source>
        <comment>%4: who alone reads the queue</comment>
        <translation>%1 joins %2, which %3, %4</translation>
    </message>
    <message>
        <source>%1 %2, %3</source>
        <comment>a process, its wait on a queue, and who alone could end it</comment>
        <translation>%1 %2, %3</translation>
    </message>
    <message>
        <source>%1, %2 of %3 workers working</source>
        <translation>%1, %2 of %3 workers working</translation>
    </message>
    <message>
        <source>%1 task queued</source>
        <translation>%1 task queued</translation>
    </message>
    <message>
        <source>%1 tasks queued</source>
        <translation>%1 tasks queued</translation>
    </message>
    <message>
        <source>%1 completed</source>
        <translation>%1 completed</translation>
    </message>
    <message>
        <source>%1 lost with their worker</source>
        <translation>%1 lost with their worker</translation>
    </message>
    <message>
        <source>%1 worker replaced</source>
        <translation>%1 worker replaced</translation>
    </message>
    <message>
        <source>%1 workers replaced</source>
        <translation>%1 workers replaced</translation>
    </message>
    <message>
        <source>%1 of %2 working</source>
        <translation>%1 of %2 working</translation>
    </message>
</context>
<context>
    <name>mpui::ChartsView</name>
    <message>
        <source>locks</source>
        <translation>locks</translation>
    </message>
    <message>
        <source>semaphores</source>
        <translation>semaphores</translation>
    </message>
    <message>
        <source>queues</source>
        <translation>queues</translation>
    </message>
    <message>
        <source>shared memory</source>
        <translation>shared memory</translation>
    </message>
    <message>
        <source>events, conditions, barriers</source>
        <translation>events, conditions, barriers</translation>
    </message>
    <message>
        <source>Queue depth (items)</source>
        <translation>Queue depth (items)</translation>
    </message>
    <message>
        <source>Semaphore values</source>
        <translation>Semaphore values</translation>
    </message>
    <message>
        <source>Operations per second</source>
        <translation>Operations per second</translation>
    </message>
    <message>
        <source>seconds since the session started</source>
        <translation>seconds since the session started</translation>
    </message>
</context>
<context>
    <name>mpui::EventModel</name>
    <message>
        <source>Time (s)</source>
        <translation>Time (s)</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Process</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>Object</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>Operation</translation>
    </message>
    <message>
        <source>Argument</source>
        <translation>Argument</translation>
    </message>
    <message>
        <source>Thread</source>
        <translation>Thread</translation>
    </message>
</context>
<context>
    <name>mpui::EventView</name>
    <message>
        <source>All operations</source>
        <translation>All operations</translation>
    </message>
    <message>
        <source>All processes</source>
        <translation>All processes</translation>
    </message>
    <message>
        <source>All objects</source>
        <translation>All objects</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 of %2</translation>
    </message>
    <message>
        <source>Events shown, of those kept (the newest %1)</source>
        <translation>Events shown, of those kept (the newest %1)</translation>
    </message>
    <message>
        <source>Search…</source>
        <translation>Search…</translation>
    </message>
    <message>
        <source>Show only events whose process, object or operation contains this text</source>
        <translation>Show only events whose process, object or operation contains this text</translation>
    </message>
    <message>
        <source>Follow selection</source>
        <translation>Follow selection</translation>
    </message>
    <message>
        <source>Show only the events of the process or object selected in any view</source>
        <translation>Show only the events of the process or object selected in any view</translation>
    </message>
</context>
<context>
    <name>mpui::GraphView</name>
    <message>
        <source>process</source>
        <translation>process</translation>
    </message>
    <message>
        <source>object</source>
        <translation>object</translation>
    </message>
    <message>
        <source>waits for</source>
        <translation>waits for</translation>
    </message>
    <message>
        <source>held by</source>
        <translation>held by</translation>
    </message>
    <message>
        <source>joins</source>
        <translation>joins</translation>
    </message>
    <message>
        <source>deadlocked</source>
        <translation>deadlocked</translation>
    </message>
    <message>
        <source>pid %1 · %2</source>
        <translation>pid %1 · %2</translation>
    </message>
    <message>
        <source>Deadlock — %1:</source>
        <translation>Deadlock — %1:</translation>
    </message>
    <message>
        <source>… and %1 more.</source>
        <translation>… and %1 more.</translation>
    </message>
    <message>
        <source>Note — %1:</source>
        <translation>Note — %1:</translation>
    </message>
    <message>
        <source>The session has ended.</source>
        <translation>The session has ended.</translation>
    </message>
    <message>
        <source>No session yet. Choose a scenario and press Run, or attach to a running program (Session ▸ Attach).</source>
        <translation>No session yet. Choose a scenario and press Run, or attach to a running program (Session ▸ Attach).</translation>
    </message>
</context>
<context>
    <name>mpui::HeatMapCanvas</name>
    <message>
        <source>all %1</source>
        <translation>all %1</translation>
    </message>
    <message>
        <source>from %1 to %2</source>
        <translation>from %1 to %2</translation>
    </message>
    <message>
        <source>%1 — written by %2 %3 ago</source>
        <translation>%1 — written by %2 %3 ago</translation>
    </message>
    <message>
        <source>No shared Value or Array in this session yet. Their cells appear here, coloured by value, with recent writes outlined in the writer&apos;s colour.</source>
        <translation>No shared Value or Array in this session yet. Their cells appear here, coloured by value, with recent writes outlined in the writer&apos;s colour.</translation>
    </message>
    <message>
        <source>written by:</source>
        <translation>written by:</translation>
    </message>
</context>
<context>
    <name>mpui::LessonView</name>
    <message>
        <source>Choose a scenario in the toolbar to read what it shows and what to watch for.</source>
        <translation>Choose a scenario in the toolbar to read what it shows and what to watch for.</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameters</translation>
    </message>
</context>
<context>
    <name>mpui::MainWindow</name>
    <message>
        <source>Attached to session %1.</source>
        <translation>Attached to session %1.</translation>
    </message>
    <message>
        <source>Cannot attach: %1</source>
        <translation>Cannot attach: %1</translation>
    </message>
    <message>
        <source>Cannot read the scenario catalogue from %1: %2</source>
        <translation>Cannot read the scenario catalogue from %1: %2</translation>
    </message>
    <message>
        <source>mpscope-run crashed.</source>
        <translation>mpscope-run crashed.</translation>
    </message>
    <message>
        <source>mpscope-run ended with status %1.</source>
        <translation>mpscope-run ended with status %1.</translation>
    </message>
    <message>
        <source>Cannot start %1: %2</source>
        <translation>Cannot start %1: %2</translation>
    </message>
    <message>
        <source>No session</source>
        <translation>No session</translation>
    </message>
    <message>
        <source>Session %1 (ended)</source>
        <translation>Session %1 (ended)</translation>
    </message>
    <message>
        <source>Session %1</source>
        <translation>Session %1</translation>
    </message>
    <message>
        <source>Processes: %1 (%2 live)</source>
        <translation>Processes: %1 (%2 live)</translation>
    </message>
    <message>
        <source>Objects: %1</source>
        <translation>Objects: %1</translation>
    </message>
    <message>
        <source>Events/s: %1</source>
        <translation>Events/s: %1</translation>
    </message>
    <message>
        <source>Dropped events: %1</source>
        <translation>Dropped events: %1</translation>
    </message>
    <message>
        <source>Refresh: %1 Hz, %2 ms</source>
        <translation>Refresh: %1 Hz, %2 ms</translation>
    </message>
    <message>
        <source>Frames shown per second, and the time the last one took on the GUI thread</source>
        <translation>Frames shown per second, and the time the last one took on the GUI thread</translation>
    </message>
    <message>
        <source>Terminate (SIGTERM)</source>
        <translation>Terminate (SIGTERM)</translation>
    </message>
    <message>
        <source>Kill (SIGKILL)</source>
        <translation>Kill (SIGKILL)</translation>
    </message>
    <message>
        <source>Let it take one step</source>
        <translation>Let it take one step</translation>
    </message>
    <message>
        <source>Show its events</source>
        <translation>Show its events</translation>
    </message>
    <message>
        <source>Cannot signal %1 (pid %2): %3</source>
        <translation>Cannot signal %1 (pid %2): %3</translation>
    </message>
    <message>
        <source>Sent SIGKILL to %1 (pid %2).</source>
        <translation>Sent SIGKILL to %1 (pid %2).</translation>
    </message>
    <message>
        <source>Sent SIGTERM to %1 (pid %2).</source>
        <translation>Sent SIGTERM to %1 (pid %2).</translation>
    </message>
    <message>
        <source>Attach to a session</source>
        <translation>Attach to a session</translation>
    </message>
    <message>
        <source>Session name (mpscope-&lt;pid&gt;-&lt;random&gt;) or the pid of one of its processes; the Sessions pane lists the ones running:</source>
        <translation>Session name (mpscope-&lt;pid&gt;-&lt;random&gt;) or the pid of one of its processes; the Sessions pane lists the ones running:</translation>
    </message>
    <message>
        <source>Save a screenshot</source>
        <translation>Save a screenshot</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG images (*.png)</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>Cannot write %1</translation>
    </message>
    <message>
        <source>About mpscope</source>
        <translation>About mpscope</translation>
    </message>
    <message>
        <source>&lt;h3&gt;mpscope&lt;/h3&gt;&lt;p&gt;An inspector and playground for multi-process programs written with libmpcore, a C++ model of Python&apos;s multiprocessing.&lt;/p&gt;&lt;p&gt;Run a scenario or attach to any running program, and watch its processes, locks, queues and shared memory live, with deadlocks found and explained.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;mpscope&lt;/h3&gt;&lt;p&gt;An inspector and playground for multi-process programs written with libmpcore, a C++ model of Python&apos;s multiprocessing.&lt;/p&gt;&lt;p&gt;Run a scenario or attach to any running program, and watch its processes, locks, queues and shared memory live, with deadlocks found and explained.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Session</translation>
    </message>
    <message>
        <source>&amp;Attach to a Session…</source>
        <translation>&amp;Attach to a Session…</translation>
    </message>
    <message>
        <source>&amp;Detach</source>
        <translation>&amp;Detach</translation>
    </message>
    <message>
        <source>Save a Screens&amp;hot…</source>
        <translation>Save a Screens&amp;hot…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Fit Graph</source>
        <translation>&amp;Fit Graph</translation>
    </message>
    <message>
        <source>Show &amp;Idle Objects in the Graph</source>
        <translation>Show &amp;Idle Objects in the Graph</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About mpscope</source>
        <translation>&amp;About mpscope</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Processes</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>Objects</translation>
    </message>
    <message>
        <source>Lesson</source>
        <translation>Lesson</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>Console</source>
        <translation>Console</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Events</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>Charts</translation>
    </message>
    <message>
        <source>Shared Memory</source>
        <translation>Shared Memory</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
</context>
<context>
    <name>mpui::ObjectModel</name>
    <message>
        <source>Object</source>
        <translation>Object</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>Waiters</source>
        <translation>Waiters</translation>
    </message>
    <message>
        <source>Created by</source>
        <translation>Created by</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>Operations</translation>
    </message>
</context>
<context>
    <name>mpui::ObjectView</name>
    <message>
        <source>Filter by name or kind…</source>
        <translation>Filter by name or kind…</translation>
    </message>
</context>
<context>
    <name>mpui::PoolModel</name>
    <message>
        <source>start-up %1, waiting %2, working %3</source>
        <translation>start-up %1, waiting %2, working %3</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>starting</translation>
    </message>
    <message>
        <source>waiting for a task</source>
        <translation>waiting for a task</translation>
    </message>
    <message>
        <source>working</source>
        <translation>working</translation>
    </message>
    <message>
        <source>exited</source>
        <translation>exited</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>empty</translation>
    </message>
    <message>
        <source>%1 worker</source>
        <translation>%1 worker</translation>
    </message>
    <message>
        <source>%1 workers</source>
        <translation>%1 workers</translation>
    </message>
    <message>
        <source>%1: %2, %3, %4 queued, %5 completed, %6 lost, %7 outstanding</source>
        <translation>%1: %2, %3, %4 queued, %5 completed, %6 lost, %7 outstanding</translation>
    </message>
    <message>
        <source>Replaces a worker that %1.</source>
        <translation>Replaces a worker that %1.</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Tasks done</source>
        <translation>Tasks done</translation>
    </message>
    <message>
        <source>Current task</source>
        <translation>Current task</translation>
    </message>
    <message>
        <source>#%1 (replaced %2×)</source>
        <translation>#%1 (replaced %2×)</translation>
    </message>
    <message>
        <source>%1: job %2, chunk %3</source>
        <translation>%1: job %2, chunk %3</translation>
    </message>
    <message>
        <source>Time spent</source>
        <translation>Time spent</translation>
    </message>
</context>
<context>
    <name>mpui::PoolView</name>
    <message>
        <source>No process Pool in this session.</source>
        <translation>No process Pool in this session.</translation>
    </message>
    <message>
        <source>Bars: start-up (blue), waiting for a task (yellow), working (green), all on one time scale</source>
        <translation>Bars: start-up (blue), waiting for a task (yellow), working (green), all on one time scale</translation>
    </message>
</context>
<context>
    <name>mpui::ProcessModel</name>
    <message>
        <source>Process</source>
        <translation>Process</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>Start method</source>
        <translation>Start method</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Blocked on</source>
        <translation>Blocked on</translation>
    </message>
    <message>
        <source>Exit code</source>
        <translation>Exit code</translation>
    </message>
    <message>
        <source>CPU time</source>
        <translation>CPU time</translation>
    </message>
</context>
<context>
    <name>mpui::RunToolbar</name>
    <message>
        <source>Scenario:</source>
        <translation>Scenario:</translation>
    </message>
    <message>
        <source>Start method:</source>
        <translation>Start method:</translation>
    </message>
    <message>
        <source>Tempo:</source>
        <translation>Tempo:</translation>
    </message>
    <message>
        <source>How fast the scenario&apos;s pauses go: 0.25 is four times slower, 4 four times faster</source>
        <translation>How fast the scenario&apos;s pauses go: 0.25 is four times slower, 4 four times faster</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <source>Run the scenario in mpscope-run and watch it (Ctrl+R)</source>
        <translation>Run the scenario in mpscope-run and watch it (Ctrl+R)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>End the run and every process of it (Ctrl+.)</source>
        <translation>End the run and every process of it (Ctrl+.)</translation>
    </message>
    <message>
        <source>Step mode</source>
        <translation>Step mode</translation>
    </message>
    <message>
        <source>Hold every process before each operation; let them go one at a time from the process menu</source>
        <translation>Hold every process before each operation; let them go one at a time from the process menu</translation>
    </message>
    <message>
        <source>The program to run: its lesson is in the Lesson pane</source>
        <translation>The program to run: its lesson is in the Lesson pane</translation>
    </message>
    <message>
        <source>How child processes start: fork, spawn or forkserver</source>
        <translation>How child processes start: fork, spawn or forkserver</translation>
    </message>
</context>
<context>
    <name>mpui::SessionListModel</name>
    <message>
        <source>%1 live of %2</source>
        <translation>%1 live of %2</translation>
    </message>
    <message>
        <source>running</source>
        <translation>running</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>ended</translation>
    </message>
    <message>
        <source>Session %1, created by pid %2</source>
        <translation>Session %1, created by pid %2</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Session</translation>
    </message>
    <message>
        <source>Main process</source>
        <translation>Main process</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Processes</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Age</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>mpui::SessionsView</name>
    <message>
        <source>Show ended sessions</source>
        <translation>Show ended sessions</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Attach</translation>
    </message>
    <message>
        <source>Show the selected session in the inspector</source>
        <translation>Show the selected session in the inspector</translation>
    </message>
</context>
</TS>
