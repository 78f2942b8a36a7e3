"""The vendored files are byte for byte upstream's: their git blob ids are those of the source commit."""

import hashlib
from pathlib import Path

import pytest

HERE = Path(__file__).parent
# path here -> git blob id upstream (README.md names each source repository and commit)
UPSTREAM_BLOBS = {
    "casual_memory_conflicts/sqlalchemy_store/test_sqlalchemy_conflict_store.py": (
        "0d3d9f72dcd36780cb81aaba2f0334561deec975"
    ),
    "casual_memory_conflicts/memory_store/test_memory_conflict_store.py": "0a265c7f90738c3b6dd09c09b6d2110a19e8b765",
    "casual_memory_conflicts/LICENSE": "43f4b4752ac75a750c58e8a08123fe6371713d55",
    "the_edge_agent_ltm/test_sqlalchemy_backend.py": "f0e6bc0998d9e1e38128ddf30171d8e5936e3fc4",
    "the_edge_agent_ltm/test_catalog_sqlalchemy.py": "765dcc45252e4000ce413c4a777d008c912d5169",
    "the_edge_agent_ltm/LICENSE": "cb0b0a32afe38649637cb32a194ed9c22e482e09",
    "maveric_minipilot_chat/test_database.py": "7b53254db881c7a207fbca1ac503eaaddbae2dfd",
    "maveric_minipilot_chat/LICENSE": "10e12e2f8d181a74dd7630f5b640961373eecc4c",
    "ia_modules_checkpoint/test_checkpoint_memory.py": "7451bb482c4ab9e678ff001a02fbaa3c969dd6d4",
    "ia_modules_checkpoint/LICENSE": "c0ca07035ac8a6f3fd5db989dd0c0c5ff37b2de2",
    "nexusql/test_database_param_order.py": "02fffd20e5cfba89187a7af395ac3533ef83e185",
    "nexusql/test_database_manager.py": "7984f65ccf637bd78c33029fadd9eac3c8bf8da8",
    "nexusql/LICENSE": "0fb07fb46af9fb23f26bbd12f921a58efb64e359",
    "ia_modules_memory_metrics/test_sql_metric_storage.py": "af4bacc0c9280d6caaaa09442505a3c735958f64",
    "ia_modules_memory_metrics/LICENSE": "c0ca07035ac8a6f3fd5db989dd0c0c5ff37b2de2",
}


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.mark.parametrize("path", sorted(UPSTREAM_BLOBS))
def test_a_vendored_file_is_unchanged(path):
    assert git_blob_id((HERE / path).read_bytes()) == UPSTREAM_BLOBS[path]


def test_every_vendored_test_file_is_accounted_for():
    found = {str(p.relative_to(HERE)) for p in HERE.glob("*/**/test_*.py")}
    assert found == {path for path in UPSTREAM_BLOBS if path.endswith(".py")}
