from interlock.config.loader import ConfigError, load_config, parse_config
from interlock.config.schema import GatewayConfig, ModelConfig, ProviderConfig

__all__ = [
    "ConfigError",
    "GatewayConfig",
    "ModelConfig",
    "ProviderConfig",
    "load_config",
    "parse_config",
]
