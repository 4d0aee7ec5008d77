package dev.berth.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a store without append keeps of an upload between requests, as one small JSON object: its size, the saved
 * sha256 of every byte so far, the multipart assembly and the entity tags of its parts, and the key of the tail (the
 * bytes after the last part, fewer than a part). Replaced whole after each chunk, so a chunk that fails half-way leaves
 * the previous state, whose parts and tail are still there.
 */
record PartUploadState(long size, byte[] hash, Optional<String> assembly, List<String> etags, Optional<String> tail) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_BYTES = 1024 * 1024;

    PartUploadState {
        etags = List.copyOf(etags);
    }

    /** The state of an upload that has no bytes yet. */
    static PartUploadState empty() {
        return new PartUploadState(0, new ResumableSha256().save(), Optional.empty(), List.of(), Optional.empty());
    }

    /** The state after {@code etag} became the next part. */
    PartUploadState withPart(String assembly, String etag) {
        List<String> more = new ArrayList<>(etags);
        more.add(etag);
        return new PartUploadState(size, hash, Optional.of(assembly), more, tail);
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(new Stored(size, hash, assembly.orElse(null), etags, tail.orElse(null)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an upload's state", e);
        }
    }

    static PartUploadState fromJson(byte[] json) {
        try {
            Stored s = JSON.readValue(json, Stored.class);
            return new PartUploadState(s.size(), s.hash(), Optional.ofNullable(s.assembly()),
                    s.etags() == null ? List.of() : s.etags(), Optional.ofNullable(s.tail()));
        } catch (IOException e) {
            throw new IllegalStateException("an upload's state is damaged: " + e.getMessage(), e);
        }
    }

    /** The JSON form (Jackson writes byte arrays as base64). */
    private record Stored(long size, byte[] hash, String assembly, List<String> etags, String tail) {
    }
}
