package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.ExitCodes;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.lifecycle.Exec;
import io.jsyd.oci.cli.Verb;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Options end at the container id: everything after it is the command and its own
 * options ({@code exec ID ls -la}), as with runc.
 */
@Command(name = "exec", description = {"run a new process inside a running container",
        "The process is <command> [args], or the process.json given with -p."})
public final class ExecCommand implements Verb {
    @Option(names = "--console-socket", paramLabel = "<path>",
            description = "AF_UNIX socket that receives the master fd of the process's terminal")
    String consoleSocket;

    @Option(names = "--cwd", paramLabel = "<dir>", description = "working directory inside the container")
    String cwd;

    @Option(names = {"-e", "--env"}, paramLabel = "<NAME=value>", description = "add an environment variable (repeatable)")
    List<String> env = new ArrayList<>();

    // Boolean, not boolean: runc only overrides process.json's terminal when the flag is given.
    @Option(names = {"-t", "--tty"}, description = "allocate a pseudo-terminal")
    Boolean tty;

    @Option(names = {"-u", "--user"}, paramLabel = "<uid>[:<gid>]", description = "user to run as")
    String user;

    @Option(names = {"-g", "--additional-gids"}, paramLabel = "<gid>", description = "add a supplementary group (repeatable)")
    List<Long> additionalGids = new ArrayList<>();

    @Option(names = {"-p", "--process"}, paramLabel = "<path>", description = "process.json describing the process")
    String process;

    @Option(names = {"-d", "--detach"}, description = "return once the process runs, instead of waiting for it")
    boolean detach;

    @Option(names = "--pid-file", paramLabel = "<path>", description = "write the process id to this file")
    String pidFile;

    @Option(names = "--process-label", paramLabel = "<label>", description = "SELinux label of the process")
    String processLabel;

    @Option(names = "--apparmor", paramLabel = "<profile>", description = "AppArmor profile of the process")
    String apparmor;

    @Option(names = "--no-new-privs", description = "set no_new_privs for the process")
    Boolean noNewPrivs;

    @Option(names = {"-c", "--cap"}, paramLabel = "<CAP_NAME>", description = "add a capability (repeatable)")
    List<String> caps = new ArrayList<>();

    @Option(names = "--preserve-fds", paramLabel = "<n>", defaultValue = "0",
            description = "pass N more file descriptors (after stdio and $LISTEN_FDS); default: ${DEFAULT-VALUE}")
    int preserveFds;

    @Option(names = "--cgroup", paramLabel = "[<controller>:]<path>",
            description = "run the process in an existing sub-cgroup (repeatable)")
    List<String> cgroups = new ArrayList<>();

    @Option(names = "--ignore-paused", description = "allow exec in a paused container")
    boolean ignorePaused;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Parameters(index = "1..*", paramLabel = "<command>", description = "the command and its arguments")
    List<String> command = new ArrayList<>();

    @Override
    public int statusOf(OciException failure) {
        return failure instanceof UsageException ? ExitCodes.USAGE : ExitCodes.EXEC_FAILED;
    }

    @Override
    public int run(Invocation invocation) throws OciException {
        if (preserveFds < 0) {
            throw new UsageException("--preserve-fds must not be negative: " + preserveFds);
        }
        io.jsyd.oci.state.Existence.require(invocation.flags().root(), id);
        return Exec.exec(invocation.request(), new Exec.Options(invocation.flags().root(), id,
                process == null ? null : invocation.resolve(process), command, env, cwd, user, additionalGids, caps,
                noNewPrivs, tty, consoleSocket == null ? null : invocation.resolve(consoleSocket), detach,
                pidFile == null ? null : invocation.resolve(pidFile),
                RunCommand.listenFds(invocation) + preserveFds, ignorePaused, apparmor, processLabel, cgroups));
    }
}
