// What multiprocessing.dummy's Manager() hands out - plain list, dict, Namespace, Value and array.array -
// as holders shared by reference between threads, the iteration of Python iterables the pool and the
// holders share, and the handles that let dummy objects travel inside mp::Object.
#include "dummy_internal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unistd.h>
#include <unordered_map>

namespace mp::dummy {

// ---- handles ----------------------------------------------------------------------------------------------

namespace detail {

namespace {

struct Pins {
    std::mutex mutex;
    std::unordered_map<std::int64_t, std::shared_ptr<void>> objects;
    std::set<std::string, std::less<>> checked_kinds;
};
Pins& pins() {
    static auto* p = new Pins; // never destroyed: pinned objects live as long as the program
    return *p;
}

// A spawn or forkserver child cannot reach this process's memory: refuse at start(), with CPython's
// pickling error for the threading objects.
void refuse_other_process(const Handle& handle, std::string_view method) {
    if (method == "fork") return;
    if (handle.name.starts_with("_thread.")) throw TypeError("cannot pickle '" + handle.name + "' object");
    throw TypeError("cannot send a multiprocessing.dummy " + handle.name + " to a " + std::string(method) +
                    " child: it lives in this process's memory (send a copy of its value)");
}

} // namespace

Handle pin(std::string_view kind, std::shared_ptr<void> state, std::string_view python_type) {
    const auto key = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(state.get()));
    bool first_of_kind = false;
    {
        std::lock_guard lock(pins().mutex);
        pins().objects.try_emplace(key, std::move(state));
        first_of_kind = pins().checked_kinds.emplace(kind).second;
    }
    if (first_of_kind) register_handle_check(std::string(kind), refuse_other_process);
    return Handle{std::string(kind), std::string(python_type), {key}, {}};
}

std::shared_ptr<void> unpin(const Handle& handle, std::string_view kind) {
    if (handle.kind != kind) throw TypeError("expected " + std::string(kind) + ", got " + handle.kind);
    if (handle.ints.size() == 1) {
        std::lock_guard lock(pins().mutex);
        if (auto it = pins().objects.find(handle.ints[0]); it != pins().objects.end()) return it->second;
    }
    throw RuntimeError("this " + handle.kind + " does not exist in this process");
}

} // namespace detail

// ---- Iterable ---------------------------------------------------------------------------------------------

namespace {

// Python's iter(object) over the kinds an Object can hold, as a list of items.
std::vector<Object> items_of(const Object& object) {
    switch (object.kind()) {
    case ObjectKind::List:
    case ObjectKind::Tuple:
        return object.items();
    case ObjectKind::Set:
    case ObjectKind::FrozenSet:
        return {object.as_set().begin(), object.as_set().end()};
    case ObjectKind::Dict: {
        std::vector<Object> keys;
        for (const auto& entry : object.as_dict())
            keys.push_back(entry.first);
        return keys;
    }
    case ObjectKind::Str: {
        // One str per code point (UTF-8: a lead byte and its continuation bytes).
        std::vector<Object> chars;
        const std::string& text = object.as_str();
        for (std::size_t i = 0; i < text.size();) {
            std::size_t n = 1;
            while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80)
                ++n;
            chars.emplace_back(text.substr(i, n));
            i += n;
        }
        return chars;
    }
    case ObjectKind::Bytes:
    case ObjectKind::ByteArray: {
        std::vector<Object> values;
        for (unsigned char c : object.as_bytes())
            values.emplace_back(static_cast<int>(c));
        return values;
    }
    case ObjectKind::Handle:
        if (object.as_handle().kind == "dummy.List")
            return List::from_handle(object.as_handle()).copy().items();
        [[fallthrough]];
    default:
        throw TypeError("'" + object.type_name() + "' object is not iterable");
    }
}

} // namespace

Iterable::Iterable(Object iterable)
    : object_(std::move(iterable)) {}

Iterable::Iterable(std::initializer_list<Object> items)
    : object_(Object::list(std::vector<Object>(items))) {}

Iterable::Iterable(Generator next)
    : generator_(std::make_shared<Generator>(std::move(next))) {}

Iterable::Generator detail::generator_over(std::shared_ptr<std::vector<Object>> items) {
    return [items = std::move(items), i = std::size_t{0}]() mutable -> std::optional<Object> {
        if (i == items->size()) return std::nullopt;
        return std::move((*items)[i++]);
    };
}

Iterable::Generator Iterable::iterate() const {
    if (generator_) return *generator_;
    return detail::generator_over(std::make_shared<std::vector<Object>>(items_of(*object_)));
}

std::vector<Object> Iterable::materialize() const {
    if (!generator_) return items_of(*object_);
    std::vector<Object> items;
    for (auto next = *generator_; auto item = next();)
        items.push_back(std::move(*item));
    return items;
}

// ---- List -------------------------------------------------------------------------------------------------

namespace detail {
struct ListState {
    mutable std::mutex mutex;
    std::vector<Object> items;
};
struct DictState {
    mutable std::mutex mutex;
    mp::Dict items;
};
struct NamespaceState {
    mutable std::mutex mutex;
    std::map<std::string, Object, std::less<>> attributes;
};
struct ValueState {
    mutable std::mutex mutex;
    std::string typecode;
    Object value;
};
} // namespace detail

namespace {

// Python's index rules: negative counts from the end; nullopt when out of range.
std::optional<std::size_t> position(std::int64_t index, std::size_t size) {
    const auto n = static_cast<std::int64_t>(size);
    if (index < 0) index += n;
    if (index < 0 || index >= n) return std::nullopt;
    return static_cast<std::size_t>(index);
}

} // namespace

List::List()
    : state_(std::make_shared<detail::ListState>()) {}

List::List(const Object& iterable)
    : List() {
    state_->items = Iterable(iterable).materialize();
}

void List::append(Object item) {
    std::lock_guard lock(state_->mutex);
    state_->items.push_back(std::move(item));
}

void List::extend(const Object& iterable) {
    auto items = Iterable(iterable).materialize(); // before locking: it may be this very list
    std::lock_guard lock(state_->mutex);
    std::move(items.begin(), items.end(), std::back_inserter(state_->items));
}

void List::insert(std::int64_t index, Object item) {
    std::lock_guard lock(state_->mutex);
    auto& items = state_->items;
    const auto n = static_cast<std::int64_t>(items.size());
    if (index < 0) index = std::max<std::int64_t>(index + n, 0);
    index = std::min(index, n);
    items.insert(items.begin() + index, std::move(item));
}

Object List::pop(std::int64_t index) {
    std::lock_guard lock(state_->mutex);
    auto& items = state_->items;
    if (items.empty()) throw IndexError("pop from empty list");
    const auto at = position(index, items.size());
    if (!at) throw IndexError("pop index out of range");
    Object item = std::move(items[*at]);
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(*at));
    return item;
}

void List::remove(const Object& item) {
    std::lock_guard lock(state_->mutex);
    auto& items = state_->items;
    auto it = std::find(items.begin(), items.end(), item);
    if (it == items.end()) throw ValueError("list.remove(x): x not in list");
    items.erase(it);
}

std::int64_t List::index(const Object& item) const {
    std::lock_guard lock(state_->mutex);
    const auto& items = state_->items;
    auto it = std::find(items.begin(), items.end(), item);
    if (it == items.end()) throw ValueError(item.repr() + " is not in list");
    return it - items.begin();
}

std::int64_t List::count(const Object& item) const {
    std::lock_guard lock(state_->mutex);
    return std::count(state_->items.begin(), state_->items.end(), item);
}

bool List::contains(const Object& item) const {
    return count(item) > 0;
}

Object List::item(std::int64_t index) const {
    std::lock_guard lock(state_->mutex);
    const auto at = position(index, state_->items.size());
    if (!at) throw IndexError("list index out of range");
    return state_->items[*at];
}

void List::set_item(std::int64_t index, Object item) {
    std::lock_guard lock(state_->mutex);
    const auto at = position(index, state_->items.size());
    if (!at) throw IndexError("list assignment index out of range");
    state_->items[*at] = std::move(item);
}

void List::del_item(std::int64_t index) {
    std::lock_guard lock(state_->mutex);
    const auto at = position(index, state_->items.size());
    if (!at) throw IndexError("list assignment index out of range");
    state_->items.erase(state_->items.begin() + static_cast<std::ptrdiff_t>(*at));
}

std::size_t List::size() const {
    std::lock_guard lock(state_->mutex);
    return state_->items.size();
}

void List::clear() {
    std::lock_guard lock(state_->mutex);
    state_->items.clear();
}

void List::reverse() {
    std::lock_guard lock(state_->mutex);
    std::reverse(state_->items.begin(), state_->items.end());
}

Object List::copy() const {
    std::lock_guard lock(state_->mutex);
    return Object::list(state_->items);
}

std::string List::repr() const {
    return copy().repr();
}

Handle List::to_handle() const {
    return detail::pin("dummy.List", state_, "list");
}

List List::from_handle(const Handle& handle) {
    return List(detail::unpin_as<detail::ListState>(handle, "dummy.List"));
}

// ---- Dict -------------------------------------------------------------------------------------------------

namespace {

// dict(init) / d.update(init): a mapping, or an iterable of (key, value) pairs.
std::vector<std::pair<Object, Object>> pairs_of(const Object& init) {
    std::vector<std::pair<Object, Object>> pairs;
    if (init.is_dict()) {
        for (const auto& [k, v] : init.as_dict())
            pairs.emplace_back(k, v);
        return pairs;
    }
    if (init.is_handle() && init.as_handle().kind == "dummy.Dict")
        return pairs_of(Dict::from_handle(init.as_handle()).copy());
    std::size_t n = 0;
    for (const Object& element : Iterable(init).materialize()) {
        if (!element.is_list() && !element.is_tuple())
            throw TypeError("cannot convert dictionary update sequence element #" + std::to_string(n) +
                            " to a sequence");
        if (element.size() != 2)
            throw ValueError("dictionary update sequence element #" + std::to_string(n) + " has length " +
                             std::to_string(element.size()) + "; 2 is required");
        pairs.emplace_back(element[0], element[1]);
        ++n;
    }
    return pairs;
}

} // namespace

Dict::Dict()
    : state_(std::make_shared<detail::DictState>()) {}

Dict::Dict(const Object& init)
    : Dict() {
    update(init);
}

Object Dict::item(const Object& key) const {
    std::lock_guard lock(state_->mutex);
    return state_->items.at(key);
}

void Dict::set_item(Object key, Object value) {
    std::lock_guard lock(state_->mutex);
    state_->items.set(std::move(key), std::move(value));
}

void Dict::del_item(const Object& key) {
    std::lock_guard lock(state_->mutex);
    if (!state_->items.erase(key)) throw KeyError(key.repr());
}

Object Dict::get(const Object& key, Object default_value) const {
    std::lock_guard lock(state_->mutex);
    const Object* found = state_->items.find(key);
    return found ? *found : default_value;
}

Object Dict::pop(const Object& key) {
    std::lock_guard lock(state_->mutex);
    Object value = state_->items.at(key);
    state_->items.erase(key);
    return value;
}

Object Dict::pop(const Object& key, Object default_value) {
    std::lock_guard lock(state_->mutex);
    const Object* found = state_->items.find(key);
    if (!found) return default_value;
    Object value = *found;
    state_->items.erase(key);
    return value;
}

Object Dict::setdefault(const Object& key, Object default_value) {
    std::lock_guard lock(state_->mutex);
    if (const Object* found = state_->items.find(key)) return *found;
    state_->items.set(key, default_value);
    return default_value;
}

void Dict::update(const Object& mapping) {
    auto pairs = pairs_of(mapping); // before locking: it may be this very dict
    std::lock_guard lock(state_->mutex);
    for (auto& [k, v] : pairs)
        state_->items.set(std::move(k), std::move(v));
}

bool Dict::contains(const Object& key) const {
    std::lock_guard lock(state_->mutex);
    return state_->items.contains(key);
}

Object Dict::keys() const {
    return Object::list(items_of(copy()));
}

Object Dict::values() const {
    std::lock_guard lock(state_->mutex);
    std::vector<Object> values;
    for (const auto& entry : state_->items)
        values.push_back(entry.second);
    return Object::list(std::move(values));
}

Object Dict::items() const {
    std::lock_guard lock(state_->mutex);
    std::vector<Object> items;
    for (const auto& [k, v] : state_->items)
        items.push_back(Object::tuple(k, v));
    return Object::list(std::move(items));
}

std::size_t Dict::size() const {
    std::lock_guard lock(state_->mutex);
    return state_->items.size();
}

void Dict::clear() {
    std::lock_guard lock(state_->mutex);
    state_->items.clear();
}

Object Dict::copy() const {
    std::lock_guard lock(state_->mutex);
    return Object::dict(state_->items);
}

std::string Dict::repr() const {
    return copy().repr();
}

Handle Dict::to_handle() const {
    return detail::pin("dummy.Dict", state_, "dict");
}

Dict Dict::from_handle(const Handle& handle) {
    return Dict(detail::unpin_as<detail::DictState>(handle, "dummy.Dict"));
}

// ---- Namespace --------------------------------------------------------------------------------------------

Namespace::Namespace()
    : state_(std::make_shared<detail::NamespaceState>()) {}

Namespace::Namespace(const Object& attributes)
    : Namespace() {
    for (const auto& [name, value] : pairs_of(attributes)) {
        if (!name.is_str()) throw TypeError("keywords must be strings");
        state_->attributes.insert_or_assign(name.as_str(), value);
    }
}

Object Namespace::get(std::string_view name) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->attributes.find(name);
    if (it == state_->attributes.end())
        throw AttributeError("'Namespace' object has no attribute '" + std::string(name) + "'");
    return it->second;
}

void Namespace::set(std::string_view name, Object value) {
    std::lock_guard lock(state_->mutex);
    state_->attributes.insert_or_assign(std::string(name), std::move(value));
}

void Namespace::del(std::string_view name) {
    std::lock_guard lock(state_->mutex);
    auto it = state_->attributes.find(name);
    if (it == state_->attributes.end())
        throw AttributeError("'Namespace' object has no attribute '" + std::string(name) + "'");
    state_->attributes.erase(it);
}

bool Namespace::has(std::string_view name) const {
    std::lock_guard lock(state_->mutex);
    return state_->attributes.find(name) != state_->attributes.end();
}

std::string Namespace::repr() const {
    // Python sorts the "name=value" texts, not the names ("a1=1" comes before "a=2").
    std::vector<std::string> shown;
    {
        std::lock_guard lock(state_->mutex);
        for (const auto& [name, value] : state_->attributes)
            if (!name.starts_with('_')) shown.push_back(name + "=" + value.repr());
    }
    std::sort(shown.begin(), shown.end());
    std::string text = "Namespace(";
    for (std::size_t i = 0; i < shown.size(); ++i)
        text += (i ? ", " : "") + shown[i];
    return text + ")";
}

Handle Namespace::to_handle() const {
    return detail::pin("dummy.Namespace", state_, "Namespace");
}

Namespace Namespace::from_handle(const Handle& handle) {
    return Namespace(detail::unpin_as<detail::NamespaceState>(handle, "dummy.Namespace"));
}

// ---- Value ------------------------------------------------------------------------------------------------

Value::Value(TypeCode typecode, Object value)
    : state_(std::make_shared<detail::ValueState>()) {
    state_->typecode = std::move(typecode.code);
    state_->value = std::move(value);
}

Object Value::value() const {
    std::lock_guard lock(state_->mutex);
    return state_->value;
}

void Value::set_value(Object value) {
    std::lock_guard lock(state_->mutex);
    state_->value = std::move(value);
}

const std::string& Value::typecode() const {
    return state_->typecode; // never changes
}

std::string Value::repr() const {
    return "<Value(" + Object(state_->typecode).repr() + ", " + value().repr() + ")>";
}

Handle Value::to_handle() const {
    return detail::pin("dummy.Value", state_, "Value");
}

Value Value::from_handle(const Handle& handle) {
    return Value(detail::unpin_as<detail::ValueState>(handle, "dummy.Value"));
}

} // namespace mp::dummy
