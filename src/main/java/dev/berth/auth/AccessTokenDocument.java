package dev.berth.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.System.Logger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** An access token as the store keeps it: one JSON object, without its secret (only the secret's SHA-256). */
final class AccessTokenDocument {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = System.getLogger(AccessTokenDocument.class.getName());

    private AccessTokenDocument() {
    }

    /** The object kept for {@code token}. */
    static byte[] bytes(AccessToken token) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", token.name());
        doc.put("id", token.id());
        doc.put("creator", token.creator());
        doc.put("creatorGroups", new TreeSet<>(token.creatorGroups()));
        doc.put("repositories", token.repositories());
        doc.put("actions", token.actions().stream().sorted().map(Action::scopeName).toList());
        doc.put("created", token.created().getEpochSecond());
        doc.put("expires", token.expires().getEpochSecond());
        doc.put("secretSha256", token.secretHash());
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an access token", e);
        }
    }

    /** A stored token; empty, and logged, when the object is not one (written by hand, or damaged). */
    static Optional<AccessToken> parse(String name, byte[] bytes) {
        try {
            JsonNode doc = JSON.readTree(bytes);
            Set<Action> actions = EnumSet.noneOf(Action.class);
            doc.path("actions").forEach(a -> Action.fromScopeName(a.asText()).ifPresent(actions::add));
            List<String> repositories = new ArrayList<>();
            doc.path("repositories").forEach(r -> repositories.add(r.asText()));
            Set<String> groups = new TreeSet<>();
            doc.path("creatorGroups").forEach(g -> groups.add(g.asText()));
            String id = doc.path("id").asText("");
            String creator = doc.path("creator").asText("");
            String hash = doc.path("secretSha256").asText("");
            if (!name.equals(doc.path("name").asText()) || id.isEmpty() || creator.isEmpty() || hash.length() != 64
                    || repositories.isEmpty() || actions.isEmpty() || !doc.path("expires").canConvertToLong()) {
                throw new IOException("fields are missing");
            }
            return Optional.of(new AccessToken(name, id, creator, groups, repositories, actions,
                    Instant.ofEpochSecond(doc.path("created").asLong()),
                    Instant.ofEpochSecond(doc.path("expires").asLong()), hash, Optional.empty()));
        } catch (IOException e) {
            LOG.log(Logger.Level.WARNING, "access token " + name + ": the stored object is not one ("
                    + e.getMessage() + "); it is refused");
            return Optional.empty();
        }
    }
}
