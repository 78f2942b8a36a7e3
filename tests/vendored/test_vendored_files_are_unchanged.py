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
    "the_edge_agent_ltm/test_ltm_factory.py": "42cabb7795eff33ce713e9fb67d2d05a762a1ec6",
    "maveric_minipilot_chat/test_database.py": "7b53254db881c7a207fbca1ac503eaaddbae2dfd",
    "maveric_minipilot_chat/LICENSE": "10e12e2f8d181a74dd7630f5b640961373eecc4c",
    "ia_modules_checkpoint/test_checkpoint_memory.py": "7451bb482c4ab9e678ff001a02fbaa3c969dd6d4",
    "ia_modules_checkpoint/LICENSE": "c0ca07035ac8a6f3fd5db989dd0c0c5ff37b2de2",
    "ia_modules_checkpoint/V001__complete_schema.sql": "6e5961d0dc08cfea2eb991ab60e6b4b44668dd9c",
    "nexusql/integration/test_binary_data.py": "0c286e0a48a72b7d4d8bd83c1ee52f2aa96e0fe0",
    "nexusql/integration/test_concurrency.py": "f3384347118dbd9a285819ffd4ccd79e4f45b398",
    "nexusql/integration/test_database_complete.py": "5d0f58c1a13b49a4295492cd5c0871c6dc1d1e19",
    "nexusql/integration/test_database_comprehensive.py": "10b2ce99ebaf4c8a29858c3621503191870ad431",
    "nexusql/integration/test_database_edge_cases.py": "9c6da8f4b387e0b787b8c9bf21252a5d32e20b7d",
    "nexusql/integration/test_database_multi_backend.py": "517304667abd7d55a1f534a31f7be2951df37c4a",
    "nexusql/integration/test_database_mysql.py": "c3372025fcdc6413a27f1e57cc5495b4fdfe2e73",
    "nexusql/integration/test_database_param_order.py": "02fffd20e5cfba89187a7af395ac3533ef83e185",
    "nexusql/integration/test_execute_script.py": "f798506597ac6bad1fa2fd0b666ef2a549e7815d",
    "nexusql/unit/test_database_advanced_performance.py": "c0f2feee98d0a03c937db19cb6a8f992ad33d93d",
    "nexusql/unit/test_database_advanced_security.py": "4af99796a56dc9bee6e6823d91552e655d41331c",
    "nexusql/unit/test_database_concurrency.py": "f6273a9551bd6749dee4f6f3a7b98530367b3a41",
    "nexusql/unit/test_database_edge_cases.py": "b468a454678837c3298e4e827355447dfe0d5b03",
    "nexusql/unit/test_database_manager.py": "7984f65ccf637bd78c33029fadd9eac3c8bf8da8",
    "nexusql/unit/test_database_performance.py": "1194ff17b0fa6a6e2dd15986b3454fbef0cac79c",
    "nexusql/unit/test_database_security.py": "7afdcedd771bf43f84c89fc7ca306d399c649716",
    "nexusql/unit/test_sql_splitting.py": "4f4d3177e6dac10487efb4143bb96773c232640e",
    "nexusql/LICENSE": "0fb07fb46af9fb23f26bbd12f921a58efb64e359",
    "ia_modules_memory_metrics/test_sql_metric_storage.py": "af4bacc0c9280d6caaaa09442505a3c735958f64",
    "ia_modules_memory_metrics/LICENSE": "c0ca07035ac8a6f3fd5db989dd0c0c5ff37b2de2",
    "ia_modules_conversation_memory/test_memory_core.py": "f1e77a8bd988bdda677974359581dfdc8960ff26",
    "ia_modules_conversation_memory/test_memory_edge_cases.py": "0589a52c7d104d6a3105b183aac435904c1efbf1",
    "ia_modules_conversation_memory/LICENSE": "c0ca07035ac8a6f3fd5db989dd0c0c5ff37b2de2",
    "ia_modules_integration/test_sql_features_comprehensive.py": "ff105ca26e945b81c5b1c9457b3ae06b32d50d46",
    "ia_modules_integration/test_sqlite_integration.py": "305c2adf08d668915d139b5b24ca4abfa552e96f",
    "ia_modules_integration/test_postgresql_integration.py": "a4f5082ace712d4259dfcf69b1f9cfcfcba6247d",
    "ia_modules_integration/LICENSE": "c0ca07035ac8a6f3fd5db989dd0c0c5ff37b2de2",
}


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.mark.parametrize("path", sorted(UPSTREAM_BLOBS))
def test_a_vendored_file_is_unchanged(path):
    assert git_blob_id((HERE / path).read_bytes()) == UPSTREAM_BLOBS[path]


def test_every_vendored_test_file_is_accounted_for():
    found = {str(p.relative_to(HERE)) for p in HERE.glob("*/**/test_*.py")}
    assert found == {path for path in UPSTREAM_BLOBS if path.endswith(".py")}
