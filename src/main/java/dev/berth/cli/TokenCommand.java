package dev.berth.cli;

import static dev.berth.cli.ClientArguments.value;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code berth token create|list|revoke --server URL [--user USER] ...}: access tokens of the running berth at URL,
 * through its admin API. {@code create} prints the new token's secret alone on standard output, this once, so that it
 * can be piped to {@code docker login -u NAME --password-stdin}; everything else goes to the error stream.
 */
public final class TokenCommand {
    /** The subcommand's name on the command line. */
    public static final String NAME = "token";

    private static final String USAGE_LINES = """
            usage: berth token create --server URL [--user USER] --name NAME --repositories GLOB...
                                      --actions pull,push,delete [--expires 90d]
                   berth token list --server URL [--user USER]
                   berth token revoke --server URL [--user USER] NAME""";
    private static final int FAILED = 1;
    private static final int USAGE = 2;

    private final Map<String, String> environment;
    private final PasswordInput input;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param environment where {@code BERTH_PASSWORD} is looked for
     * @param input       where the password is asked for when the environment has none
     */
    public TokenCommand(Map<String, String> environment, PasswordInput input, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.input = input;
        this.out = out;
        this.err = err;
    }

    /** The parsed command line; the lists empty and the options absent when not given. */
    private record Options(String verb, URI server, Optional<String> user, Optional<String> name,
                           List<String> repositories, List<String> actions, Optional<String> expires) {
    }

    /** Runs with the arguments after {@code token}; returns the exit status: 0, 1 (refused or failed) or 2 (usage). */
    public int run(List<String> args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("berth: " + e.getMessage());
            err.println(USAGE_LINES);
            return USAGE;
        }
        try {
            AdminClient client = ClientArguments.client(options.server(), options.user(), environment, input);
            switch (options.verb()) {
                case "create" -> create(client, options);
                case "list" -> list(client);
                default -> {
                    String name = options.name().orElseThrow();
                    client.delete("/api/v1/tokens/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
                    err.println("revoked access token " + name + ": it and the registry tokens issued from it are"
                            + " refused from now on");
                }
            }
            return 0;
        } catch (AdminClient.Failure | IllegalArgumentException | IOException e) {
            err.println("berth: " + e.getMessage());
            return FAILED;
        }
    }

    private void create(AdminClient client, Options options) throws AdminClient.Failure {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", options.name().orElseThrow());
        body.put("repositories", options.repositories());
        body.put("actions", options.actions());
        options.expires().ifPresent(expires -> body.put("expires", expires));
        JsonNode token = client.post("/api/v1/tokens", body, 201);
        out.println(token.path("secret").asText());
        err.println("created access token " + token.path("name").asText() + " (" + describe(token) + "). Its secret"
                + " is shown this once; log in with: docker login -u " + token.path("name").asText()
                + " --password-stdin " + options.server().getAuthority());
    }

    private void list(AdminClient client) throws AdminClient.Failure {
        JsonNode tokens = client.get("/api/v1/tokens").path("tokens");
        if (tokens.isEmpty()) {
            err.println("no access tokens");
            return;
        }
        String format = "%-24s %-16s %-20s %-20s %s%n";
        out.printf(format, "NAME", "CREATOR", "EXPIRES", "LAST USED", "GRANTS");
        for (JsonNode token : tokens) {
            out.printf(format, token.path("name").asText(), token.path("creator").asText(),
                    token.path("expires").asText(), token.path("lastUsed").asText("never"), describe(token));
        }
    }

    /** What a token grants, as {@code pull, push on team/*, ci/*}. */
    private static String describe(JsonNode token) {
        return String.join(", ", texts(token.path("actions"))) + " on "
                + String.join(", ", texts(token.path("repositories")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    private static Options parse(List<String> args) {
        if (args.isEmpty() || !List.of("create", "list", "revoke").contains(args.getFirst())) {
            throw new IllegalArgumentException(args.isEmpty() ? "say create, list or revoke"
                    : "unknown token command " + args.getFirst() + ": create, list or revoke");
        }
        String verb = args.getFirst();
        URI server = null;
        Optional<String> user = Optional.empty();
        Optional<String> name = Optional.empty();
        Optional<String> expires = Optional.empty();
        List<String> repositories = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--server" -> server = ClientArguments.serverUri(value(args, ++i, arg));
                case "--user" -> user = Optional.of(value(args, ++i, arg));
                case "--name" -> name = Optional.of(value(args, ++i, arg));
                case "--expires" -> expires = Optional.of(value(args, ++i, arg));
                case "--actions" -> actions.addAll(commaSeparated(value(args, ++i, arg)));
                case "--repositories" -> {
                    // GLOB...: every argument up to the next option.
                    repositories.addAll(commaSeparated(value(args, ++i, arg)));
                    while (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
                        repositories.addAll(commaSeparated(args.get(++i)));
                    }
                }
                default -> {
                    if (arg.startsWith("-") || !verb.equals("revoke") || name.isPresent()) {
                        throw new IllegalArgumentException("unexpected " + arg);
                    }
                    name = Optional.of(arg);
                }
            }
        }
        if (server == null) {
            throw new IllegalArgumentException("--server URL is required (berth's address, as http://berth.lan:5000)");
        }
        if (verb.equals("create") && (name.isEmpty() || repositories.isEmpty() || actions.isEmpty())) {
            throw new IllegalArgumentException("token create needs --name, --repositories and --actions");
        }
        if (verb.equals("revoke") && name.isEmpty()) {
            throw new IllegalArgumentException("token revoke needs the token's NAME");
        }
        if (!verb.equals("create") && (!repositories.isEmpty() || !actions.isEmpty() || expires.isPresent()
                || verb.equals("list") && name.isPresent())) {
            throw new IllegalArgumentException("--name, --repositories, --actions and --expires are for token create");
        }
        return new Options(verb, server, user, name, repositories, actions, expires);
    }

    /** A value that may list several, comma-separated (no repository name or action holds a comma). */
    private static List<String> commaSeparated(String value) {
        return List.of(value.split(",")).stream().map(String::strip).filter(part -> !part.isEmpty()).toList();
    }
}
