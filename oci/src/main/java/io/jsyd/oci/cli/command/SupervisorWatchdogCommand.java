package io.jsyd.oci.cli.command;

import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import io.jsyd.oci.supervise.Watchdog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Internal: kills what the supervisor daemon supervised when it dies (io.jsyd.oci.supervise.Watchdog). */
@Command(name = "supervisor-watchdog", hidden = true, description = "internal: the supervisor daemon's watchdog")
public final class SupervisorWatchdogCommand implements Verb {
    @Option(names = "--daemon-pid", required = true)
    int daemonPid;

    @Override
    public int run(Invocation invocation) {
        return Watchdog.serve(invocation.request(), invocation.flags().root(), daemonPid);
    }
}
