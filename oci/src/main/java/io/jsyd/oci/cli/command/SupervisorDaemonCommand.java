package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import io.jsyd.oci.supervise.SupervisorClient;
import io.jsyd.oci.supervise.SupervisorDaemon;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Internal: the supervisor daemon of --root, which `create` starts on demand (io.jsyd.oci.supervise). */
@Command(name = "supervisor-daemon", hidden = true, description = "internal: the per-root sandbox supervisor")
public final class SupervisorDaemonCommand implements Verb {
    @Option(names = "--ready-fd", description = "tell fd 3 when the socket listens")
    boolean readyFd;

    @Override
    public int run(Invocation invocation) throws OciException {
        try {
            return SupervisorDaemon.serve(invocation.request(), invocation.flags().root(), SupervisorClient.GRACE,
                    readyFd);
        } catch (IOException e) {
            throw new OciIoException("serve the supervisor socket under", invocation.flags().root(), e);
        }
    }
}
