// Serialisation of the spawn / forkserver payload. Interim encoding until pickle lands: a tagged JSON
// tree that round-trips every Object kind the payload carries.
#include "process_internal.hpp"

#include <nlohmann/json.hpp>

namespace mp::detail {

namespace {

using nlohmann::json;

json to_json(const Object& o) {
    switch (o.kind()) {
    case ObjectKind::None:
        return json{{"t", "none"}};
    case ObjectKind::Bool:
        return json{{"t", "bool"}, {"v", o.as_bool()}};
    case ObjectKind::Int:
        return json{{"t", "int"}, {"v", o.as_int()}};
    case ObjectKind::BigInt:
        return json{{"t", "bigint"}, {"v", o.as_big_int().to_decimal()}};
    case ObjectKind::Float:
        return json{{"t", "float"}, {"v", o.as_float()}};
    case ObjectKind::Str:
        return json{{"t", "str"},
                    {"v", json::binary_t(std::vector<std::uint8_t>(o.as_str().begin(), o.as_str().end()))}};
    case ObjectKind::Bytes:
    case ObjectKind::ByteArray:
        return json{
            {"t", o.is_bytes() ? "bytes" : "bytearray"},
            {"v", json::binary_t(std::vector<std::uint8_t>(o.as_bytes().begin(), o.as_bytes().end()))}};
    case ObjectKind::List:
    case ObjectKind::Tuple: {
        json items = json::array();
        for (const auto& item : o.items())
            items.push_back(to_json(item));
        return json{{"t", o.is_list() ? "list" : "tuple"}, {"v", items}};
    }
    case ObjectKind::Dict: {
        json items = json::array();
        for (const auto& [k, v] : o.as_dict())
            items.push_back(json::array({to_json(k), to_json(v)}));
        return json{{"t", "dict"}, {"v", items}};
    }
    case ObjectKind::Set:
    case ObjectKind::FrozenSet: {
        json items = json::array();
        for (const auto& item : o.as_set())
            items.push_back(to_json(item));
        return json{{"t", o.is_set() ? "set" : "frozenset"}, {"v", items}};
    }
    case ObjectKind::Handle: {
        const Handle& h = o.as_handle();
        return json{{"t", "handle"}, {"kind", h.kind}, {"name", h.name}, {"ints", h.ints}, {"fds", h.fds}};
    }
    case ObjectKind::Exception: {
        const ExceptionValue& e = o.as_exception();
        return json{{"t", "exception"}, {"type", e.type}, {"message", e.message}, {"traceback", e.traceback}};
    }
    }
    throw PicklingError("cannot serialise object of type " + o.type_name());
}

std::string binary_string(const json& j) {
    const auto& bin = j.get_binary();
    return std::string(bin.begin(), bin.end());
}

Object from_json(const json& j) {
    const std::string t = j.at("t").get<std::string>();
    if (t == "none") return Object();
    if (t == "bool") return Object(j.at("v").get<bool>());
    if (t == "int") return Object(j.at("v").get<std::int64_t>());
    if (t == "bigint") return Object::parse_int(j.at("v").get<std::string>());
    if (t == "float") return Object(j.at("v").get<double>());
    if (t == "str") return Object(binary_string(j.at("v")));
    if (t == "bytes") return Object::bytes(binary_string(j.at("v")));
    if (t == "bytearray") return Object::bytearray(binary_string(j.at("v")));
    if (t == "list" || t == "tuple" || t == "set" || t == "frozenset") {
        std::vector<Object> items;
        for (const auto& item : j.at("v"))
            items.push_back(from_json(item));
        if (t == "list") return Object::list(std::move(items));
        if (t == "tuple") return Object::tuple(std::move(items));
        if (t == "set") return Object::set(std::move(items));
        return Object::frozenset(std::move(items));
    }
    if (t == "dict") {
        Object d = Object::dict();
        for (const auto& kv : j.at("v"))
            d.as_dict().set(from_json(kv.at(0)), from_json(kv.at(1)));
        return d;
    }
    if (t == "handle") {
        Handle h{j.at("kind").get<std::string>(), j.at("name").get<std::string>(),
                 j.at("ints").get<std::vector<std::int64_t>>(), j.at("fds").get<std::vector<int>>()};
        return Object(std::move(h));
    }
    if (t == "exception")
        return Object(ExceptionValue{j.at("type").get<std::string>(), j.at("message").get<std::string>(),
                                     j.at("traceback").get<std::string>()});
    throw UnpicklingError("unknown payload tag '" + t + "'");
}

} // namespace

std::string dumps_payload(const Object& object) {
    std::vector<std::uint8_t> bytes = json::to_cbor(to_json(object));
    return std::string(bytes.begin(), bytes.end());
}

Object loads_payload(std::string_view data) {
    try {
        return from_json(json::from_cbor(data.begin(), data.end()));
    } catch (const json::exception& e) {
        throw UnpicklingError(std::string("corrupt process payload: ") + e.what());
    }
}

} // namespace mp::detail
