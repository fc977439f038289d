package io.jsyd.oci.cli;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Go flag-package habits that callers written for runc rely on and picocli lacks.
 * A boolean flag takes a value only when attached ({@code --detach=false}): a
 * separate word after it is never its value ({@code delete --force true} deletes
 * a container named "true").
 */
final class GoFlags {
    private GoFlags() {
    }

    /** Gives every boolean option of the tree Go's attached-value syntax. */
    static void adapt(CommandLine commandLine) {
        adapt(commandLine, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static void adapt(CommandLine commandLine, Set<CommandLine> seen) {
        if (!seen.add(commandLine)) {
            return; // aliases map to the same CommandLine
        }
        CommandSpec spec = commandLine.getCommandSpec();
        for (OptionSpec option : List.copyOf(spec.options())) {
            if (isFlag(option)) {
                spec.remove(option);
                spec.addOption(OptionSpec.builder(option).preprocessor(new AttachedBoolean()).build());
            }
        }
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            adapt(sub, seen);
        }
    }

    private static boolean isFlag(OptionSpec option) {
        Class<?> type = option.type();
        return (type == boolean.class || type == Boolean.class)
                && !option.usageHelp() && !option.versionHelp() && option.arity().max() == 0;
    }

    /** Go's strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False; null for anything else. */
    static Boolean parseBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Consumes the value of {@code --flag=value}; a bare flag goes through picocli as usual. */
    private static final class AttachedBoolean implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec arg, Map<String, Object> info) {
            if (!"=".equals(String.valueOf(info.get("separator")))) {
                return false;
            }
            String value = args.pop();
            Boolean b = parseBool(value);
            if (b == null) {
                throw new ParameterException(command.commandLine(), "invalid boolean value '" + value
                        + "' for " + ((OptionSpec) arg).longestName());
            }
            arg.setValue(b);
            return true;
        }
    }
}
